import { defineConfig } from 'vite';

// Relative asset URLs: the same build is served under /explorer/ by the devnet host and from the root of
// the S3 bucket on AWS.
export default defineConfig({
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
});
