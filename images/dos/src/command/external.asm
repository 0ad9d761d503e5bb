; ---------------------------------------------------------------- externals
run_external:
        ; the program name is cmdword; the tail follows at [args]
        mov si, [args]
        call strlen
        cmp cx, 126
        jbe .tl
        mov si, msg_long
        jmp puts
.tl:    mov [tail], cl
        mov di, tail+1
        rep movsb
        mov byte [di], 13
        ; has the name an extension or a path?
        mov byte [has_ext], 0
        mov byte [has_path], 0
        mov si, cmdword
.s:     lodsb
        test al, al
        jz .sd
        cmp al, '\'
        je .p
        cmp al, ':'
        je .p
        cmp al, '.'
        jne .s
        mov byte [has_ext], 1
        jmp .s
.p:     mov byte [has_path], 1
        mov byte [has_ext], 0
        jmp .s
.sd:    ; try the current directory (or the given path) first
        mov word [dirp], 0
        call try_dir
        jnc found_prog
        cmp byte [has_path], 0
        jne .bad
        ; then every PATH entry
        mov si, s_path
        call env_find
        jc .bad
        mov si, canon1
        mov cx, 127
        call copy_far
        push cs
        pop es
        mov si, canon1
.pl:    cmp byte [si], 0
        je .bad
        mov di, pdir
.pc:    lodsb
        test al, al
        jz .pe0
        cmp al, ';'
        je .pe
        mov [di], al
        inc di
        jmp .pc
.pe0:   dec si
.pe:    cmp di, pdir
        je .pl
        cmp byte [di-1], '\'
        je .ns
        mov byte [di], '\'
        inc di
.ns:    mov byte [di], 0
        push si
        mov word [dirp], pdir
        call try_dir
        pop si
        jnc found_prog
        jmp .pl
.bad:   mov si, msg_bad
        jmp puts
penv    dw 0
plast   db 0
dirp    dw 0
has_ext db 0
has_path db 0

; try_dir: [dirp] (0 or "DIR\") + cmdword (+ extensions) -> fname, CF if absent
try_dir:
        mov di, fname
        mov si, [dirp]
        test si, si
        jz .nd
        call strcpy
.nd:    mov si, cmdword
        call strcpy
        mov [extpos], di
        cmp byte [has_ext], 0
        je .exts
        mov ah, 4Eh
        mov cx, 6
        mov dx, fname
        int 21h
        jc .no
        ; only .COM .EXE .BAT run
        mov si, [extpos]
        sub si, 4
        mov di, ext_list
.ce:    cmp byte [di], 0
        je .no
        push si
        push di
        mov cx, 4
.cc:    mov al, [si]
        call upcase
        cmp al, [di]
        jne .cn
        inc si
        inc di
        loop .cc
        cmp al, al
.cn:    pop di
        pop si
        je .yes
        add di, 5
        jmp .ce
.exts:  mov bx, ext_list
.el:    cmp byte [bx], 0
        je .no
        mov si, bx
        mov di, [extpos]
        call strcpy
        push bx
        mov ah, 4Eh
        mov cx, 6
        mov dx, fname
        int 21h
        pop bx
        jnc .yes
        add bx, 5
        jmp .el
.yes:   clc
        ret
.no:    stc
        ret
extpos  dw 0

found_prog:
        ; batch file?
        mov si, fname
        call strlen
        add si, cx
        sub si, 4
.chk:   mov eax, [si]
        and eax, 0DFDFDFFFh
        cmp eax, '.BAT'
        je .bat
        ; FCBs from the first two arguments
        mov si, tail+1
        mov di, fcb1
        mov ax, 2901h
        int 21h
        mov di, fcb2
        mov ax, 2901h
        int 21h
        mov word [pblock], 0
        mov word [pblock+2], tail
        mov [pblock+4], cs
        mov word [pblock+6], fcb1
        mov [pblock+8], cs
        mov word [pblock+10], fcb2
        mov [pblock+12], cs
        mov [save_sp], sp
        mov ax, 4B00h
        mov bx, pblock
        mov dx, fname
        int 21h
        ; DOS 2 lost SS:SP here; restore them as COMMAND.COM always did
        cli
        mov bx, cs
        mov ss, bx
        mov sp, [cs:save_sp]
        sti
        mov ds, bx
        mov es, bx
        jc .err
        mov ah, 4Dh
        int 21h
        mov [errlevel], al
        mov ah, 1Ah
        mov dx, dta
        int 21h
        ret
.err:   mov si, msg_mem
        cmp ax, 8
        je .p
        mov si, msg_exe
        cmp ax, 0Bh
        je .p
        mov si, msg_acc
        cmp ax, 5
        je .p
        mov si, msg_bad
.p:     push ax
        mov ah, 1Ah
        mov dx, dta
        int 21h
        pop ax
        jmp puts
.bat:   ; the batch replaces the current one, unless CALL runs it
        cmp byte [calling], 0
        je .nocall
        cmp byte [in_batch], 0
        je .nocall
        mov byte [calling], 0
        push si
        call bat_push
        pop si
        jnc .nocall
        mov si, msg_callfull
        jmp puts
.nocall:
        mov si, fname
        mov di, bat_name
        call strcpy
        mov si, cmdword
        mov di, bat_args
        call strcpy
        mov si, tail+1
        movzx bx, byte [tail]
        mov byte [si+bx], 0
        call strcpy
        mov dword [bat_pos], 0
        mov byte [shift_n], 0
        mov byte [echo_on], 1
        mov byte [in_batch], 1
        ret
