; File and directory services: 3Ch 3Dh 3Eh 3Fh 40h 41h 42h 43h 56h 57h
; 39h 3Ah 3Bh 47h 4Eh 4Fh 5Bh 45h 46h, with DOS's error codes.
%include "testlib.inc"
        ; create and write 1000 bytes
        mov ah, 3Ch
        xor cx, cx
        mov dx, f_test
        int 21h
        CHECK nc, '3Ch create file'
        mov [h], ax
        mov di, buf
        mov cx, 1000
        xor al, al
.fill:  stosb
        inc al
        loop .fill
        mov ah, 40h
        mov bx, [h]
        mov cx, 1000
        mov dx, buf
        int 21h
        pushf
        cmp ax, 1000
        CHECK e, '40h write returns the count'
        popf
        mov ah, 3Eh
        mov bx, [h]
        int 21h
        CHECK nc, '3Eh close'
        mov ah, 3Eh
        mov bx, [h]
        int 21h
        pushf
        cmp ax, 6
        CHECK e, '3Eh close of a closed handle gives error 6'
        popf
        ; open and read back
        mov ax, 3D00h
        mov dx, f_test
        int 21h
        CHECK nc, '3Dh open read-only'
        mov [h], ax
        mov ax, 4202h
        mov bx, [h]
        xor cx, cx
        xor dx, dx
        int 21h
        cmp ax, 1000
        CHECK e, '42h seek to end gives the size'
        mov ax, 4200h
        mov bx, [h]
        xor cx, cx
        mov dx, 10
        int 21h
        cmp ax, 10
        CHECK e, '42h seek from start'
        mov ah, 3Fh
        mov bx, [h]
        mov cx, 2000
        mov dx, buf2
        int 21h
        cmp ax, 990
        CHECK e, '3Fh read stops at end of file'
        mov al, [buf2]
        cmp al, 10
        CHECK e, '3Fh data read back'
        mov al, [buf2+989]
        cmp al, (999 & 255)
        CHECK e, '3Fh last byte read back'
        mov ah, 3Fh
        mov bx, [h]
        mov cx, 10
        mov dx, buf2
        int 21h
        CHECK z, '3Fh read at end of file returns 0'
        mov ah, 40h
        mov bx, [h]
        mov cx, 1
        mov dx, buf
        int 21h
        pushf
        cmp ax, 5
        CHECK e, '40h write to a read-only handle gives error 5'
        popf
        ; dup
        mov ah, 45h
        mov bx, [h]
        int 21h
        CHECK nc, '45h duplicate handle'
        mov bx, ax
        mov ah, 3Eh
        int 21h
        mov ax, 5700h
        mov bx, [h]
        int 21h
        CHECK nc, '57h get file date and time'
        mov ah, 3Eh
        mov bx, [h]
        int 21h
        ; attributes
        mov ax, 4300h
        mov dx, f_test
        int 21h
        CHECK nc, '43h get attributes'
        mov ax, 4300h
        mov dx, f_none
        int 21h
        pushf
        cmp ax, 2
        CHECK e, '43h on a missing file gives error 2'
        popf
        ; find first/next
        mov ah, 1Ah
        mov dx, dta
        int 21h
        mov ah, 4Eh
        xor cx, cx
        mov dx, f_pat
        int 21h
        CHECK nc, '4Eh find first with wildcards'
        cmp dword [dta+26], 1000
        CHECK e, '4Eh DTA holds the size'
        mov si, dta+30
        mov di, f_test
        mov cx, 9
        repe cmpsb
        CHECK e, '4Eh DTA holds the name'
        mov ah, 4Fh
        int 21h
        pushf
        cmp ax, 18
        CHECK e, '4Fh no more files gives error 18'
        popf
        ; 5Bh create new on an existing file fails
        mov ah, 5Bh
        xor cx, cx
        mov dx, f_test
        int 21h
        pushf
        cmp ax, 80
        CHECK e, '5Bh create new on an existing file gives error 80'
        popf
        ; rename
        mov ah, 56h
        mov dx, f_test
        mov di, f_ren
        int 21h
        CHECK nc, '56h rename'
        mov ax, 3D00h
        mov dx, f_test
        int 21h
        pushf
        cmp ax, 2
        CHECK e, '3Dh old name is gone (error 2)'
        popf
        ; truncate with a 0-byte write
        mov ax, 3D02h
        mov dx, f_ren
        int 21h
        CHECK nc, '3Dh open read-write'
        mov [h], ax
        mov ax, 4200h
        mov bx, [h]
        xor cx, cx
        mov dx, 300
        int 21h
        mov ah, 40h
        mov bx, [h]
        xor cx, cx
        int 21h
        mov ax, 4202h
        mov bx, [h]
        xor cx, cx
        xor dx, dx
        int 21h
        cmp ax, 300
        CHECK e, '40h write of 0 bytes truncates'
        mov ah, 3Eh
        mov bx, [h]
        int 21h
        ; delete
        mov ah, 41h
        mov dx, f_ren
        int 21h
        CHECK nc, '41h delete'
        mov ah, 41h
        mov dx, f_ren
        int 21h
        pushf
        cmp ax, 2
        CHECK e, '41h delete of a missing file gives error 2'
        popf
        ; path errors
        mov ax, 3D00h
        mov dx, f_nodir
        int 21h
        pushf
        cmp ax, 3
        CHECK e, '3Dh in a missing directory gives error 3'
        popf
        mov ah, 3Ch
        xor cx, cx
        mov dx, f_nodir
        int 21h
        pushf
        cmp ax, 3
        CHECK e, '3Ch in a missing directory gives error 3'
        popf
        ; directories
        mov ah, 39h
        mov dx, d_sub
        int 21h
        CHECK nc, '39h make directory'
        mov ah, 39h
        mov dx, d_sub
        int 21h
        pushf
        cmp ax, 5
        CHECK e, '39h on an existing name gives error 5'
        popf
        mov ah, 3Bh
        mov dx, d_sub
        int 21h
        CHECK nc, '3Bh change directory'
        mov ah, 47h
        mov dl, 0
        mov si, cwdbuf
        int 21h
        mov si, cwdbuf
        mov di, d_sub
        mov cx, 7
        repe cmpsb
        CHECK e, '47h current directory'
        mov ah, 3Ch
        xor cx, cx
        mov dx, f_test
        int 21h
        CHECK nc, '3Ch create inside a subdirectory'
        mov bx, ax
        mov ah, 40h
        mov cx, 1000
        mov dx, buf
        int 21h
        mov ah, 3Eh
        int 21h
        mov ah, 3Bh
        mov dx, d_up
        int 21h
        CHECK nc, '3Bh change to ..'
        mov ah, 3Ah
        mov dx, d_sub
        int 21h
        pushf
        cmp ax, 5
        CHECK e, '3Ah remove a non-empty directory gives error 5'
        popf
        mov ah, 4Eh
        xor cx, cx
        mov dx, f_sub
        int 21h
        CHECK nc, '4Eh finds a file by path in a subdirectory'
        mov ah, 41h
        mov dx, f_sub
        int 21h
        CHECK nc, '41h delete by path'
        mov ah, 3Ah
        mov dx, d_sub
        int 21h
        CHECK nc, '3Ah remove directory'
        mov ah, 3Bh
        mov dx, d_sub
        int 21h
        pushf
        cmp ax, 3
        CHECK e, '3Bh to a missing directory gives error 3'
        popf
        ; stdout handle duplicates: 46h
        mov ah, 45h
        mov bx, 1
        int 21h
        mov [h], ax
        mov ah, 46h
        mov bx, 1
        mov cx, [h]
        int 21h
        CHECK nc, '46h force duplicate'
        mov ah, 40h
        mov bx, [h]
        mov cx, msg_dup_end - msg_dup
        mov dx, msg_dup
        int 21h
        mov ah, 3Eh
        mov bx, [h]
        int 21h
        PRINT 'DONE APIFILE'
        EXIT 0

msg_dup db 'PASS 40h write through a duplicated stdout', 13, 10
msg_dup_end:
f_test  db 'TEST.TMP', 0
f_ren   db 'RENAMED.TMP', 0
f_none  db 'NOSUCH.TMP', 0
f_pat   db 'TES?.*', 0
f_nodir db '\NODIR\X.TMP', 0
f_sub   db 'SUBDIR\TEST.TMP', 0
d_sub   db 'SUBDIR', 0
d_up    db '..', 0
h       dw 0
cwdbuf     times 68 db 0
dta     times 128 db 0
buf     times 1000 db 0
buf2:
