/**
 * porsager/postgres#1133 (open; fix proposed in #1155): when PostgreSQL cuts a connection off inside a transaction
 * (a cloud node's producer paused mid-commit past `idle_in_transaction_session_timeout`, db/client.ts), postgres.js
 * may write to the closed socket from a timer and throw where nobody can catch it, ending the process. The transaction
 * itself has failed by then and the connection is replaced; the process can go on (it steps down: its lease is gone).
 * This lets exactly that error pass, logged; any other uncaught exception ends the process as Node would.
 */
export function toleratePostgresClosedWrite(log: (line: string) => void): void {
  process.on('uncaughtException', (error) => {
    if (
      error instanceof TypeError &&
      error.message === "Cannot read properties of null (reading 'write')" &&
      /nextWrite/.test(error.stack ?? '')
    ) {
      log('a database connection cut off mid-transaction was written to after it closed (porsager/postgres#1133); going on');
      return;
    }
    console.error(error);
    process.exit(1);
  });
}
