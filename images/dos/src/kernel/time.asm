; ---------------------------------------------------------------- date/time
bcd2bin:                        ; al bcd -> al binary
        push cx
        mov cl, al
        shr al, 4
        mov ch, 10
        mul ch
        and cl, 0Fh
        add al, cl
        pop cx
        ret

get_date:                       ; -> cx year, dh month, dl day
        mov ah, 4
        int 1Ah
        jc .def
        test dh, dh
        jz .def
        mov al, ch
        call bcd2bin
        mov bl, 100
        mul bl
        mov bx, ax
        mov al, cl
        call bcd2bin
        xor ah, ah
        add bx, ax
        mov al, dh
        call bcd2bin
        mov dh, al
        mov al, dl
        call bcd2bin
        mov dl, al
        mov cx, bx
        cmp cx, 1980
        jb .def
        ret
.def:   mov cx, 1980
        mov dx, 0101h
        ret

get_time:                       ; -> ch hour, cl min, dh sec, dl 0
        mov ah, 2
        int 1Ah
        jc .z
        mov al, ch
        call bcd2bin
        mov ch, al
        mov al, cl
        call bcd2bin
        mov cl, al
        mov al, dh
        call bcd2bin
        mov dh, al
        mov dl, 0
        ret
.z:     xor cx, cx
        xor dx, dx
        ret

; fat_stamp -> ax = time, dx = date (directory format)
fat_stamp:
        push bx
        push cx
        call get_date
        sub cx, 1980
        shl cx, 9
        movzx ax, dh
        shl ax, 5
        or cx, ax
        movzx ax, dl
        or cx, ax
        push cx
        call get_time
        movzx ax, ch
        shl ax, 11
        movzx bx, cl
        shl bx, 5
        or ax, bx
        movzx bx, dh
        shr bx, 1
        or ax, bx
        pop dx
        pop cx
        pop bx
        ret

; 2Ah get date
f_2a:   call get_date
        mov [r_cx], cx
        mov [r_dx], dx
        ; day of week (Sakamoto)
        movzx bx, dh
        mov ax, cx
        cmp bx, 3
        jae .y
        dec ax
.y:     mov si, ax
        mov cx, ax
        shr cx, 2
        add si, cx
        push ax
        xor dx, dx
        mov cx, 100
        div cx
        sub si, ax
        pop ax
        xor dx, dx
        mov cx, 400
        div cx
        add si, ax
        movzx ax, byte [dow_t+bx-1]
        add si, ax
        movzx ax, byte [r_dx]
        add ax, si
        xor dx, dx
        mov cx, 7
        div cx
        mov [r_ax], dl
        clc
        ret
dow_t   db 0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4
; 2Bh set date
f_2b:
; 2Dh set time
f_2d:   mov byte [r_ax], 0
        clc
        ret
; 2Ch get time
f_2c:   call get_time
        mov [r_cx], cx
        mov [r_dx], dx
        clc
        ret
