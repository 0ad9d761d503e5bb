// A UUID's 16 bytes in the 8-4-4-4-12 form blkid, dumpe2fs and swaplabel print.
export function uuidString(u: Uint8Array): string {
  const h = Array.from(u, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
