console.log("arc")
