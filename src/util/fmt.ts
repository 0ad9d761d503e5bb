// Numbers in messages, with thousands separators ("1,457,664 bytes"), the same in every message
// and view; the one number formatter of the project.
export const fmt = (n: number) => n.toLocaleString("en-US");
