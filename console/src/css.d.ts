// esbuild bundles CSS imports into the console's stylesheet; TypeScript only needs to know they exist.
declare module '*.css';
