; ---------------------------------------------------------------- console
; con_out: al = character, to the screen (INT 10h) and COM1
con_out:
        pusha
        cmp al, 9
        jne .nt
.tab:   mov al, ' '
        call con_out
        test byte [col], 7
        jnz .tab
        popa
        ret
.nt:    cmp byte [serial_on], 0
        je .ns
        mov ah, al
        mov dx, 3FDh
        mov cx, 0FFFFh
.w:     in al, dx
        test al, 20h
        loopz .w
        mov dx, 3F8h
        mov al, ah
        out dx, al
.ns:    cmp al, 0Dh
        jne .n1
        mov byte [col], 0
.n1:    cmp al, 8
        jne .n2
        cmp byte [col], 0
        je .n3
        dec byte [col]
        jmp short .n3
.n2:    cmp al, 20h
        jb .n3
        inc byte [col]
.n3:    mov ah, 0Eh
        mov bx, 7
        int 10h
        popa
        ret

; con_puts: ds:si asciiz
con_puts:
        lodsb
        test al, al
        jz .r
        call con_out
        jmp con_puts
.r:     ret

hex16:  mov cx, 4
.l:     rol ax, 4
        push ax
        and al, 15
        add al, '0'
        cmp al, '9'
        jbe .d
        add al, 7
.d:     call con_out
        pop ax
        loop .l
        ret
crlf:   mov al, 0Dh
        call con_out
        mov al, 0Ah
        jmp con_out

; con_ready: ZF=0 if a key (keyboard or COM1) is waiting
con_ready:
        mov ah, 1
        int 16h
        jnz .y
        push dx
        mov dx, 3FDh
        in al, dx
        pop dx
        test al, 1
        jnz .y
.n:     xor ax, ax              ; ZF=1
        ret
.y:     or ax, 1
        ret

; con_in: wait for a key -> al ascii, ah scan
con_in:
        mov ah, 1
        int 16h
        jz .ser
        xor ax, ax
        int 16h
        ret
.ser:   push dx
        mov dx, 3FDh
        in al, dx
        test al, 1
        jz .none
        mov dx, 3F8h
        in al, dx
        pop dx
        mov ah, 0
        cmp al, 0Ah             ; CR LF or lone LF from a terminal -> CR
        jne .nlf
        cmp byte [last_in], 0Dh
        mov byte [last_in], 0Ah
        je con_in
        mov al, 0Dh
        ret
.nlf:   mov [last_in], al
        cmp al, 7Fh
        jne .r
        mov al, 8
.r:     ret
.none:  pop dx
        ; idle: after a while without input, wait for the next interrupt
        ; (keyboard, timer) instead of spinning
        dec word [idle_spin]
        jnz con_in
        mov word [idle_spin], 400
        sti
        hlt
        jmp con_in
idle_spin dw 400

; read_line: es:di = buffer (DOS 0Ah layout), echoes and edits
line_tmpl times 130 db 0
line_tlen db 0
read_line:
        mov cl, [es:di]         ; max including CR
        test cl, cl
        jz .ret
        xor bx, bx              ; count
.key:   call con_in
        cmp al, 0Dh
        je .cr
        cmp al, 8
        je .bs
        cmp al, 1Bh
        je .esc
        cmp al, 3
        je .ctlc
        test al, al
        jz .ext
        cmp al, 0E0h
        je .ext
.ins:   mov dl, bl
        inc dl
        cmp dl, cl
        jae .beep
        mov [es:di+bx+2], al
        inc bx
        call con_out
        jmp .key
.beep:  mov al, 7
        call con_out
        jmp .key
.bs:    test bx, bx
        jz .key
        dec bx
        call .rub
        jmp .key
.esc:   test bx, bx
        jz .key
        dec bx
        call .rub
        jmp .esc
.ctlc:  mov al, '^'
        call con_out
        mov al, 'C'
        call con_out
        xor bx, bx
        jmp short .cr
.ext:   cmp ah, 3Dh             ; F3 / up arrow: rest of the previous line
        je .f3
        cmp ah, 48h
        je .f3
        cmp ah, 4Dh             ; right arrow / F1: one char of template
        je .f1
        cmp ah, 3Bh
        je .f1
        cmp ah, 4Bh             ; left arrow: like backspace
        je .bs
        jmp .key
.f1:    cmp bl, [line_tlen]
        jae .key
        mov al, [line_tmpl+bx]
        jmp .ins
.f3:    cmp bl, [line_tlen]
        jae .key
        mov al, [line_tmpl+bx]
        mov dl, bl
        inc dl
        inc dl
        cmp dl, cl
        ja .key
        mov [es:di+bx+2], al
        inc bx
        call con_out
        jmp .f3
.rub:   mov al, 8
        call con_out
        mov al, ' '
        call con_out
        mov al, 8
        jmp con_out
.cr:    mov byte [es:di+bx+2], 0Dh
        mov [es:di+1], bl
        mov [line_tlen], bl
        push di
        lea si, [di+2]
        mov cx, bx
        mov di, line_tmpl
.cp:    jcxz .cpd
        mov al, [es:si]
        mov [di], al
        inc si
        inc di
        dec cx
        jmp .cp
.cpd:   pop di
        mov al, 0Dh
        call con_out
.ret:   ret

; 01h read character with echo
f_01:   call con_in
        mov [r_ax], al
        call std_char
        clc
        ret
; 02h write character
f_02:   mov al, dl
        mov [r_ax], al
        call std_char
        clc
        ret

; std_char: al to standard output (handle 1), which may be redirected
outc    db 0
std_char:
        push es
        push di
        push cx
        mov [outc], al
        push cs
        pop es
        mov di, outc
        mov cx, 1
        call std_out
        pop cx
        pop di
        pop es
        ret

; std_out: es:di, cx bytes to handle 1 of the current process
std_out:
        pusha
        push es
        mov bx, 1
        call hsft
        pop es
        jc .con
        cmp byte [bx+F_DRV], 0FFh
        jne .file
        cmp byte [bx+F_DEV], 3
        jae .r                  ; PRN, NUL
.con:   jcxz .r
.c:     mov al, [es:di]
        call con_out
        inc di
        loop .c
.r:     popa
        ret
.file:  jcxz .r
        push dword [r_ax]
        push word [r_dx]
        push word [r_ds]
        push word [r_cx]
        mov [r_dx], di
        mov [r_ds], es
        mov [r_cx], cx
        push es
        call file_write
        pop es
        pop word [r_cx]
        pop word [r_ds]
        pop word [r_dx]
        pop dword [r_ax]
        popa
        ret
; 03h read character from AUX
f_03:   mov byte [r_ax], 0
        clc
        ret
; 04h write character to AUX
f_04:
; 05h write character to printer
f_05:   clc
        ret
; 06h direct console I/O
f_06:   cmp dl, 0FFh
        je .in
        mov al, dl
        mov [r_ax], al
        call std_char
        clc
        ret
.in:    call con_ready
        jz .none
        call con_in
        mov [r_ax], al
        and byte [r_fl], 0BFh   ; ZF=0
        clc
        ret
.none:  mov byte [r_ax], 0
        or byte [r_fl], 40h
        clc
        ret
; 07h direct character input, no echo
f_07:
; 08h character input, no echo
f_08:   call con_in
        mov [r_ax], al
        clc
        ret
; 09h write $-terminated string
f_09:   call get_dsdx
        xor cx, cx
.l:     mov bx, di
        add bx, cx
        cmp byte [es:bx], '$'
        je .d
        inc cx
        jnz .l
.d:     call std_out
        mov byte [r_ax], '$'
        clc
        ret
; 0Ah buffered keyboard input
f_0a:   call get_dsdx
        call read_line
        clc
        ret
; 0Bh get input status
f_0b:   call con_ready
        mov al, 0
        jz .n
        mov al, 0FFh
.n:     mov [r_ax], al
        clc
        ret
; 0Ch flush input buffer, then read
f_0c:   ; flush the type-ahead, then run 01/06/07/08/0A
.fl:    call con_ready
        jz .e
        call con_in
        jmp .fl
.e:     mov al, [r_ax]
        mov ah, al
        cmp al, 1
        je f_01
        cmp al, 6
        je f_06
        cmp al, 7
        je f_07
        cmp al, 8
        je f_08
        cmp al, 0Ah
        je f_0a
        mov byte [r_ax], 0
        clc
        ret
