; Console, clock, vectors, drives, IOCTL and multiplex services.
%include "testlib.inc"
        mov ah, 30h
        int 21h
        cmp al, 2
        CHECK ae, '30h DOS version 2 or later'
        mov ah, 19h
        int 21h
        cmp al, 0
        CHECK e, '19h current drive is A:'
        mov ah, 0Eh
        mov dl, 0
        int 21h
        cmp al, 1
        CHECK ae, '0Eh returns the number of drives'
        mov ah, 2Ah
        int 21h
        cmp cx, 1980
        CHECK ae, '2Ah year from the clock'
        cmp dh, 1
        CHECK ae, '2Ah month >= 1'
        cmp dh, 12
        CHECK be, '2Ah month <= 12'
        cmp al, 6
        CHECK be, '2Ah day of week 0-6'
        mov ah, 2Ch
        int 21h
        cmp ch, 24
        CHECK b, '2Ch hour < 24'
        cmp cl, 60
        CHECK b, '2Ch minute < 60'
        ; vectors
        push ds
        mov ax, 1234h
        mov ds, ax
        mov dx, 5678h
        mov ax, 2560h
        int 21h
        pop ds
        mov ax, 3560h
        int 21h
        mov ax, es
        cmp ax, 1234h
        CHECK e, '25h/35h vector segment round trip'
        cmp bx, 5678h
        CHECK e, '25h/35h vector offset round trip'
        push cs
        pop es
        ; DTA
        mov ah, 1Ah
        mov dx, mydta
        int 21h
        mov ah, 2Fh
        int 21h
        cmp bx, mydta
        CHECK e, '1Ah/2Fh DTA round trip'
        mov ax, 3305h
        int 21h
        cmp dl, 1
        CHECK e, '3305h boot drive is A:'
        mov ax, 3300h
        int 21h
        cmp dl, 1
        CHECK be, '3300h Ctrl-Break flag'
        ; IOCTL
        mov ax, 4400h
        mov bx, 1
        int 21h
        CHECK nc, '4400h on stdout'
        test dl, 80h
        CHECK nz, '4400h stdout is a character device'
        test dl, 02h
        CHECK nz, '4400h stdout is the console output'
        mov ax, 4400h
        mov bx, 0
        int 21h
        test dl, 01h
        CHECK nz, '4400h stdin is the console input'
        mov ah, 3Ch
        xor cx, cx
        mov dx, f_tmp
        int 21h
        mov [h], ax
        mov ax, 4400h
        mov bx, [h]
        int 21h
        CHECK nc, '4400h on a file'
        test dl, 80h
        CHECK z, '4400h a file is not a device'
        and dl, 3Fh
        CHECK z, '4400h file on drive A: (0)'
        mov ax, 4406h
        mov bx, [h]
        int 21h
        CHECK nc, '4406h input status of a file'
        mov ah, 3Eh
        mov bx, [h]
        int 21h
        mov ah, 41h
        mov dx, f_tmp
        int 21h
        mov ax, 4408h
        mov bl, 1
        int 21h
        pushf
        cmp ax, 0
        CHECK e, '4408h drive A: is removable'
        popf
        mov ax, 4400h
        mov bx, 99
        int 21h
        pushf
        cmp ax, 6
        CHECK e, '4400h on a bad handle gives error 6'
        popf
        ; open of a device name
        mov ax, 3D01h
        mov dx, f_nul
        int 21h
        CHECK nc, '3Dh opens the NUL device'
        mov bx, ax
        mov ax, 4400h
        int 21h
        test dl, 80h
        CHECK nz, '4400h NUL is a device'
        mov ah, 3Eh
        int 21h
        ; disk space
        mov ah, 36h
        mov dl, 1
        int 21h
        cmp cx, 512
        CHECK e, '36h bytes per sector'
        cmp dx, bx
        CHECK ae, '36h total clusters >= free clusters'
        mov ah, 36h
        mov dl, 26
        int 21h
        cmp ax, 0FFFFh
        CHECK e, '36h on an invalid drive gives FFFFh'
        ; 29h parse a file name
        mov si, s_parse
        mov di, fcb
        mov ax, 2901h
        int 21h
        cmp byte [fcb], 1
        CHECK e, '29h drive from the name'
        cmp dword [fcb+1], 'FOO '
        CHECK e, '29h file name'
        cmp word [fcb+9], 'TX'
        CHECK e, '29h extension'
        ; extended error after a failed open
        mov ax, 3D00h
        mov dx, f_none
        int 21h
        mov ah, 59h
        xor bx, bx
        int 21h
        cmp ax, 2
        CHECK e, '59h extended error of the last call'
        ; console status: nothing typed
        mov ah, 0Bh
        int 21h
        cmp al, 0
        CHECK e, '0Bh no key waiting'
        mov ah, 2
        mov dl, '*'
        int 21h
        mov ah, 6
        mov dl, '*'
        int 21h
        PRINT 13, 10, 'PASS 02h/06h character output'
        ; multiplex: XMS and Windows checks (nothing installed)
        mov ax, 4300h
        int 2Fh
        cmp al, 80h
        CHECK ne, '2Fh 4300h XMS not installed'
        mov ax, 1600h
        int 2Fh
        test al, 7Fh
        CHECK z, '2Fh 1600h Windows not running'
        PRINT 'DONE APIMISC'
        EXIT 0
f_tmp   db 'IOCTL.TMP', 0
f_nul   db 'NUL', 0
f_none  db 'NOSUCH.TMP', 0
s_parse db 'A:FOO.TXT', 0
h       dw 0
fcb     times 37 db 0
mydta   times 128 db 0
