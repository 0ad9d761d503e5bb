import { defineConfig } from "vite";

// The app lives in src/app; everything it loads (v86's wasm, SeaBIOS, the guest images)
// is served from this origin so the page works offline once loaded.
export default defineConfig({
  root: ".",
  publicDir: "public",
  build: { outDir: "dist", target: "es2022" },
  server: { host: "127.0.0.1", port: 5173 },
});
