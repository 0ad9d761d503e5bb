; ---------------------------------------------------------------- output
puts:                           ; ds:si asciiz -> stdout
        push si
        push ax
        push bx
        push cx
        push dx
        mov dx, si
        xor cx, cx
.l:     cmp byte [si], 0
        je .w
        inc si
        inc cx
        jmp .l
.w:     mov ah, 40h
        mov bx, 1
        int 21h
        pop dx
        pop cx
        pop bx
        pop ax
        pop si
        ret
putc:   push ax
        push dx
        mov dl, al
        mov ah, 2
        int 21h
        pop dx
        pop ax
        ret
crlf:   push ax
        mov al, 13
        call putc
        mov al, 10
        call putc
        pop ax
        ret
; putnum: eax unsigned, cx = field width (right aligned)
putnum:
        pushad
        mov di, numbuf+12
        mov byte [di], 0
        mov ebx, 10
.l:     xor edx, edx
        div ebx
        add dl, '0'
        dec di
        mov [di], dl
        test eax, eax
        jnz .l
        mov ax, numbuf+12
        sub ax, di
.p:     cmp ax, cx
        jae .o
        push ax
        mov al, ' '
        call putc
        pop ax
        inc ax
        jmp .p
.o:     mov si, di
        call puts
        popad
        ret
numbuf  times 13 db 0
put2:                           ; al 0..99 as two digits
        push ax
        aam
        add ax, 3030h
        xchg al, ah
        call putc
        mov al, ah
        call putc
        pop ax
        ret
