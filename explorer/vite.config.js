import { defineConfig } from 'vite';

// Relative asset URLs: the same build is served under /explorer/ by the devnet host and from the root of
// the S3 bucket on AWS.
export default defineConfig({
  base: './',
  // Leaflet, h3-js and the world outlines (the map page) and ethers (the claim) are split into chunks loaded on demand;
  // the warning limit sits just above the largest of them (the map, ~355 kB) so a chunk that grows is noticed.
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 400 },
});
