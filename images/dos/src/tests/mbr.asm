; MBR.BIN: a minimal master boot record for the tests (LRDOS itself boots from
; floppies; this starts the FAT16 partition boot sector on a hard disk).
; Moves itself to 0600h, loads the active partition's first sector with
; INT 13h AH=42h to 7C00h and jumps there with DL and DS:SI = the entry.
        bits 16
        org 600h
        cli
        xor ax, ax
        mov ss, ax
        mov sp, 7C00h
        mov ds, ax
        mov es, ax
        sti
        cld
        mov si, 7C00h
        mov di, 600h
        mov cx, 256
        rep movsw
        jmp 0:start
start:  mov si, 600h+1BEh
        mov cx, 4
.l:     test byte [si], 80h
        jnz .found
        add si, 16
        loop .l
        int 18h
.found: mov eax, [si+8]
        mov [dap_lba], eax
        push si
        mov si, dap
        mov ah, 42h
        int 13h
        pop si
        jc .err
        cmp word [7DFEh], 0AA55h
        jne .err
        jmp 0:7C00h
.err:   int 18h
dap     db 10h, 0
        dw 1
        dw 7C00h, 0
dap_lba dd 0, 0
        times 446-($-$$) db 0
