import { defineConfig, type Plugin } from "vite";
import { createReadStream, existsSync, statSync, mkdirSync, copyFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { APP_IMAGE_FILES, SEABIOS_FALLBACK } from "./src/app/assets.ts";

// The app lives in index.html + src/app; everything it loads (v86's wasm, SeaBIOS, the guest
// images) comes from this origin so the page works offline once loaded.

/** Where the guest images are read from: images/, or LOOPROOT_IMAGES (the browser tests' stand-ins). */
function imagesDir(): string {
  return resolve(process.env.LOOPROOT_IMAGES ?? "images");
}

/** The file behind /images/<rel>, or undefined: only the listed files, never the recipes' work folders. */
function imageFile(rel: string): string | undefined {
  if (!APP_IMAGE_FILES.includes(rel)) return undefined;
  const p = join(imagesDir(), rel);
  if (existsSync(p)) return p;
  const fallback = SEABIOS_FALLBACK[rel];
  return fallback && existsSync(fallback) ? fallback : undefined;
}

function looprootImages(): Plugin {
  let outDir = "dist";
  let building = false;
  return {
    name: "looproot-images",
    configResolved(c) {
      outDir = resolve(c.root, c.build.outDir);
      building = c.command === "build";
    },
    configureServer(server) {
      // Before Vite's own static serving, so a missing image is a clear 404 and work/ stays private.
      server.middlewares.use((req, res, next) => {
        const url = (req.url ?? "").split("?")[0];
        if (!url.startsWith("/images/")) return next();
        const file = imageFile(decodeURIComponent(url.slice("/images/".length)));
        if (!file) {
          res.statusCode = 404;
          res.setHeader("Content-Type", "text/plain");
          res.end(`images/${url.slice(8)} is not there (yet): build the guest binaries with \`npm run images\``);
          return;
        }
        res.setHeader("Content-Type", "application/octet-stream");
        res.setHeader("Content-Length", String(statSync(file).size));
        res.setHeader("Cache-Control", "no-cache");
        createReadStream(file).pipe(res);
      });
    },
    closeBundle() {
      // Only for `vite build`: the dev server calls this hook too when it shuts down.
      if (!building) return;
      for (const rel of APP_IMAGE_FILES) {
        const file = imageFile(rel);
        if (!file) {
          this.warn(`images/${rel} is missing: dist/ will not be able to build or boot until it is there`);
          continue;
        }
        const to = join(outDir, "images", rel);
        mkdirSync(dirname(to), { recursive: true });
        copyFileSync(file, to);
      }
    },
  };
}

export default defineConfig({
  root: ".",
  publicDir: "public",
  // Relative asset URLs, so dist/ works from any folder (or a file server's sub-path).
  base: "./",
  build: { outDir: "dist", target: "es2022" },
  worker: { format: "es" },
  // Only the page is an entry: the recipes' work folders under images/ hold whole source trees.
  optimizeDeps: { entries: ["index.html"] },
  server: {
    host: "127.0.0.1",
    port: 5173,
    watch: { ignored: ["**/images/**/work/**", "**/test-results/**", "**/dist/**", "**/out/**"] },
  },
  plugins: [looprootImages()],
});
