// Two pages: index.html (a FAT floppy from your files) and howto.html (the whole HOWTO built and
// booted in the tab). `npx vite build` in this folder builds both into dist/.
import { fileURLToPath } from "node:url";

export default {
  build: {
    rollupOptions: {
      input: {
        index: fileURLToPath(new URL("./index.html", import.meta.url)),
        howto: fileURLToPath(new URL("./howto.html", import.meta.url)),
      },
    },
  },
};
