import { createPgliteTemplate } from '@arc/node/testing';

/**
 * Makes one migrated PGlite folder through the node's own path and prints where it is (the last line): the e2e cluster
 * copies it into each node's folder, so four nodes do not each spend a first start's initdb and migrations at once.
 * The caller removes the folder's parent when done.
 */
const template = await createPgliteTemplate();
console.log(template.dir);
