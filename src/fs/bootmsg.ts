// A minimal real-mode boot program that prints a message and waits, for boot records that are
// not meant to boot (an unbootable floppy, our MBR). Hand-assembled; ndisasm shows it in the tests.

/**
 * Machine code placed at `at` in a sector loaded at 0000:7C00: sets DS=0, prints the NUL-ended
 * message with INT 10h AH=0Eh, waits for a key (INT 16h), then INT 19h (reboot/next device).
 */
export function messageBootCode(at: number, message: string): Uint8Array {
  const code = [
    0x31,
    0xc0, //       xor ax, ax
    0x8e,
    0xd8, //       mov ds, ax
    0xfc, //             cld
    0xbe,
    0,
    0, //       mov si, message      (patched below)
    0xac, //       next: lodsb
    0x84,
    0xc0, //       test al, al
    0x74,
    0x09, //       jz wait
    0xb4,
    0x0e, //       mov ah, 0Eh          (teletype output)
    0xbb,
    0x07,
    0x00, // mov bx, 0007h        (page 0, grey)
    0xcd,
    0x10, //       int 10h
    0xeb,
    0xf2, //       jmp next
    0x31,
    0xc0, //  wait: xor ax, ax
    0xcd,
    0x16, //       int 16h              (wait for a key)
    0xcd,
    0x19, //       int 19h              (try the next boot device)
    0xeb,
    0xfe, //       jmp $
  ];
  const msgAddr = 0x7c00 + at + code.length;
  code[6] = msgAddr & 0xff;
  code[7] = msgAddr >> 8;
  const out = new Uint8Array(code.length + message.length + 1);
  out.set(code, 0);
  for (let i = 0; i < message.length; i++) out[code.length + i] = message.charCodeAt(i) & 0x7f;
  return out;
}
