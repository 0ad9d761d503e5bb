; Memory arena and process services: 48h 49h 4Ah 62h 51h 50h, PSP fields.
%include "testlib.inc"
        mov sp, 0FFFEh
        ; a .COM owns all memory: shrink to 64 KB
        mov ah, 4Ah
        mov bx, 1000h
        int 21h
        CHECK nc, '4Ah shrink own block'
        mov ah, 48h
        mov bx, 100h
        int 21h
        CHECK nc, '48h allocate 4 KB'
        mov [seg1], ax
        mov ah, 48h
        mov bx, 0FFFFh
        int 21h
        pushf
        cmp ax, 8
        CHECK e, '48h too much gives error 8'
        popf
        mov [largest], bx
        cmp bx, 1000h
        CHECK a, '48h reports the largest block in BX'
        mov ah, 48h
        mov bx, [largest]
        int 21h
        CHECK nc, '48h allocate the largest block'
        mov [seg2], ax
        mov es, ax
        mov word [es:0], 1234h
        mov ah, 49h
        int 21h
        CHECK nc, '49h free'
        mov es, [seg1]
        mov ah, 4Ah
        mov bx, 80h
        int 21h
        CHECK nc, '4Ah shrink an allocated block'
        mov ah, 4Ah
        mov bx, 0F000h
        int 21h
        pushf
        cmp ax, 8
        CHECK e, '4Ah grow too far gives error 8'
        popf
        mov ah, 49h
        int 21h
        mov ax, cs
        add ax, 10h
        mov es, ax
        mov ah, 49h
        int 21h
        pushf
        cmp ax, 9
        CHECK e, '49h on a non-block gives error 9'
        popf
        mov ah, 62h
        int 21h
        mov ax, cs
        cmp bx, ax
        CHECK e, '62h PSP segment of a .COM is CS'
        mov ah, 51h
        int 21h
        mov ax, cs
        cmp bx, ax
        CHECK e, '51h PSP segment'
        cmp word [0], 20CDh
        CHECK e, 'PSP:0 holds INT 20h'
        mov ax, [2]
        mov bx, cs
        cmp ax, bx
        CHECK a, 'PSP:2 holds the top of memory'
        ; environment: COMSPEC is there
        mov es, [2Ch]
        xor di, di
.e:     cmp byte [es:di], 0
        je .noenv
        cmp dword [es:di], 'COMS'
        je .env
.s:     inc di
        cmp byte [es:di-1], 0
        jne .s
        jmp .e
.noenv: xor ax, ax
        inc ax
        jmp short .ch
.env:   xor ax, ax
.ch:    test ax, ax
        CHECK z, 'environment holds COMSPEC'
        ; the command tail: " ARG1 ARG2"
        mov si, 81h
        cmp byte [80h], 10
        CHECK e, 'PSP:80h tail length'
        cmp dword [82h], 'ARG1'
        CHECK e, 'PSP:81h tail text'
        mov al, [80h]
        movzx bx, al
        cmp byte [81h+bx], 13
        CHECK e, 'tail ends with CR'
        cmp byte [5Dh], 'A'
        CHECK e, 'PSP:5Ch FCB parsed from the first argument'
        PRINT 'DONE APIMEM'
        EXIT 0
seg1    dw 0
seg2    dw 0
largest dw 0
