// The chaincode's entry point: fabric-chaincode-node reads `contracts` from package.json's `main`.
const { TokenContract } = require('./lib/token-contract.js');

module.exports.TokenContract = TokenContract;
module.exports.contracts = [TokenContract];
