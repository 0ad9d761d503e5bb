; do_line_noexp: run si (already expanded) as a command
do_line_noexp:
        mov di, line2
        call strcpy
        mov si, line2
        ; run without expanding again: copy into xline's slot through do_line
        mov byte [noexp], 1
        call do_line
        mov byte [noexp], 0
        ret
noexp   db 0

c_set:  mov si, [args]
        call skipsp
        cmp byte [si], 0
        je .list
        ; NAME=value
        mov di, tmp
.n:     lodsb
        test al, al
        jz .syn
        cmp al, '='
        je .v
        call upcase
        mov [di], al
        inc di
        jmp .n
.v:     mov byte [di], 0
        mov dx, si
        mov si, tmp
        call rtrim
        call env_set
        ret
.syn:   mov si, msg_syntax
        jmp puts
.list:  push ds
        mov ds, [envseg]
        xor si, si
.l:     cmp byte [si], 0
        je .ld
        call puts
        call crlf
.s:     lodsb
        test al, al
        jnz .s
        jmp .l
.ld:    pop ds
        ret

c_path: mov si, [args]
        call skipsp
        cmp byte [si], 0
        je .show
        cmp byte [si], '='
        jne .set
        inc si
.set:   mov di, si
        call word_upper
        cmp word [si], ';'
        jne .s2
        mov byte [si], 0
.s2:    mov dx, si
        mov si, s_path
        jmp env_set
.show:  mov si, s_path
        call env_find
        jc .none
        push ds
        push es
        pop ds
        mov si, bx
        call puts
        pop ds
        jmp crlf
.none:  mov si, msg_nopath
        jmp puts

c_cd:   mov si, [args]
        mov di, tmp
        call getarg
        jc .show
        ; "CD X:" shows that drive's directory
        cmp byte [tmp+1], ':'
        jne .ch
        cmp byte [tmp+2], 0
        jne .ch
        mov al, [tmp]
        call upcase
        mov [tmp], al
        sub al, 'A'-1
        mov dl, al
        jmp short .show2
.ch:    mov ah, 3Bh
        mov dx, tmp
        int 21h
        jnc .r
        mov si, msg_dir
        jmp puts
.show:  mov ah, 19h
        int 21h
        add al, 'A'
        mov [tmp], al
        mov dl, 0
.show2: mov word [tmp+1], ':\'
        mov si, tmp+3
        mov ah, 47h
        int 21h
        jc .bad
        mov si, tmp
        call puts
        jmp crlf
.bad:   mov si, msg_drv
        jmp puts
.r:     ret

c_md:   mov si, [args]
        mov di, tmp
        call getarg
        jc .parm
        mov ah, 39h
        mov dx, tmp
        int 21h
        jnc .r
        mov si, msg_md
        jmp puts
.parm:  mov si, msg_parm
        jmp puts
.r:     ret

c_rd:   mov si, [args]
        mov di, tmp
        call getarg
        jc c_md.parm
        mov ah, 3Ah
        mov dx, tmp
        int 21h
        jnc .r
        mov si, msg_rd
        jmp puts
.r:     ret

c_ver:  mov si, msg_ver
        jmp puts

c_cls:  mov ax, 0003h
        int 10h
        ret

c_exit: cmp byte [primary], 0
        jne .r
        mov al, [errlevel]
        mov ah, 4Ch
        int 21h
.r:     ret
