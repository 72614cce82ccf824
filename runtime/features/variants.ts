/** The `variants` chunk: Multivariate Test assignment, for bundles with a Multivariate Test (`needs` lists `variants`). */
export { assign } from '../../src/bucket.js';
