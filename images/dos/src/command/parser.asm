; ---------------------------------------------------------------- line
; do_line: si = command line (asciiz)
do_line:
        ; expand %VAR% and %0-%9 into xline
        mov di, xline
        cmp byte [noexp], 0
        je .exp
        call strcpy
        jmp short .go
.exp:   call expand
.go:    inc byte [depth]
        cmp byte [depth], 1
        jne .inner
        call redir_setup
        jc .rdone
.inner: call do_cmd
.rdone: cmp byte [depth], 1
        jne .nr
        call redir_restore
.nr:    dec byte [depth]
        ret
depth   db 0

; redir_setup: take "> file", ">> file" and "< file" out of xline and point
; handles 1 and 0 at the files (restored by redir_restore); CF on failure
redir_setup:
        mov word [sv_out], 0FFFFh
        mov word [sv_in], 0FFFFh
        mov si, xline
.scan:  mov al, [si]
        test al, al
        jz .ok
        cmp al, '>'
        je .out
        cmp al, '<'
        je .in
        inc si
        jmp .scan
.out:   mov byte [si], ' '
        mov byte [r_app], 0
        cmp byte [si+1], '>'
        jne .o1
        mov byte [si+1], ' '
        mov byte [r_app], 1
.o1:    mov di, rname_out
        call .name
        jmp .scan
.in:    mov byte [si], ' '
        mov di, rname_in
        call .name
        jmp .scan
.name:  ; the file name after the operator, blanked out of the line
        push si
.sk:    cmp byte [si], ' '
        jne .nm
        inc si
        jmp .sk
.nm:    mov al, [si]
        cmp al, ' '
        je .nd
        cmp al, 0
        je .nd
        cmp al, '>'
        je .nd
        cmp al, '<'
        je .nd
        mov [di], al
        mov byte [si], ' '
        inc si
        inc di
        jmp .nm
.nd:    mov byte [di], 0
        pop si
        ret
.ok:    cmp byte [rname_in], 0
        je .noin
        mov ax, 3D00h
        mov dx, rname_in
        int 21h
        jc .fnf
        push ax
        mov ah, 45h
        xor bx, bx
        int 21h
        mov [sv_in], ax
        pop bx
        xor cx, cx
        mov ah, 46h
        int 21h
        mov ah, 3Eh
        int 21h
.noin:  cmp byte [rname_out], 0
        je .done
        cmp byte [r_app], 0
        je .create
        mov ax, 3D01h
        mov dx, rname_out
        int 21h
        jc .create
        mov bx, ax
        mov ax, 4202h
        xor cx, cx
        xor dx, dx
        int 21h
        mov ax, bx
        jmp short .have
.create:
        mov ah, 3Ch
        xor cx, cx
        mov dx, rname_out
        int 21h
        jc .cerr
.have:  push ax
        mov ah, 45h
        mov bx, 1
        int 21h
        mov [sv_out], ax
        pop bx
        mov cx, 1
        mov ah, 46h
        int 21h
        mov ah, 3Eh
        int 21h
.done:  mov byte [rname_in], 0
        mov byte [rname_out], 0
        clc
        ret
.fnf:   mov si, msg_fnf
        jmp short .fail
.cerr:  mov si, msg_fcreate
.fail:  call puts
        call redir_restore
        mov byte [rname_in], 0
        mov byte [rname_out], 0
        stc
        ret

redir_restore:
        mov bx, [sv_out]
        cmp bx, 0FFFFh
        je .i
        mov cx, 1
        mov ah, 46h
        int 21h
        mov ah, 3Eh
        int 21h
        mov word [sv_out], 0FFFFh
.i:     mov bx, [sv_in]
        cmp bx, 0FFFFh
        je .r
        xor cx, cx
        mov ah, 46h
        int 21h
        mov ah, 3Eh
        int 21h
        mov word [sv_in], 0FFFFh
.r:     ret
sv_out  dw 0FFFFh
sv_in   dw 0FFFFh
r_app   db 0
rname_out times 80 db 0
rname_in times 80 db 0

do_cmd: mov si, xline
        call rtrim
        call skipsp
        cmp byte [si], 0
        je .r
        ; drive change "X:"
        mov al, [si+1]
        cmp al, ':'
        jne .cmd
        mov al, [si+2]
        cmp al, ' '
        je .drv
        cmp al, 0
        jne .cmd
.drv:   mov dl, [si]
        mov al, dl
        call upcase
        sub al, 'A'
        mov dl, al
        push dx
        mov ah, 0Eh
        int 21h
        mov ah, 19h
        int 21h
        pop dx
        cmp al, dl
        je .r
        mov si, msg_drv
        jmp puts
.cmd:   ; the command word
        mov di, cmdword
        xor cx, cx
.w:     mov al, [si]
        call is_delim
        je .wd
        cmp al, '/'
        je .wd
        cmp al, '+'
        je .wd
        call upcase
        mov [di], al
        inc di
        inc si
        inc cx
        cmp cx, 79
        jb .w
.wd:    mov byte [di], 0
        mov [args], si
        ; internal command?
        mov bx, cmd_table
.t:     mov di, [bx]
        test di, di
        jz .ext
        push si
        mov si, cmdword
.c:     mov al, [di]
        test al, al
        jz .end
        cmp al, [si]
        jne .no
        inc si
        inc di
        jmp .c
.end:   mov al, [si]            ; "ECHO." "CD\" "CD.." forms
        test al, al
        jz .hit
        cmp al, '.'
        je .hit2
        cmp al, '\'
        je .hit2
.no:    pop si
        add bx, 4
        jmp .t
.hit2:  ; the rest of the word is the first argument
        pop si
        mov ax, di
        sub ax, [bx]            ; length of the command name
        mov si, [args]
        sub si, cx              ; start of the word
        add si, ax
        mov [args], si
        jmp [bx+2]
.hit:   pop si
        jmp [bx+2]
.ext:   jmp run_external
.r:     ret

cmd_table:
        dw n_echo, c_echo, n_rem, c_rem, n_pause, c_pause, n_goto, c_goto
        dw n_if, c_if, n_set, c_set, n_path, c_path, n_cd, c_cd
        dw n_chdir, c_cd, n_md, c_md, n_mkdir, c_md, n_rd, c_rd
        dw n_rmdir, c_rd, n_del, c_del, n_erase, c_del, n_type, c_type
        dw n_copy, c_copy, n_dir, c_dir, n_ver, c_ver, n_cls, c_cls
        dw n_exit, c_exit, n_ren, c_ren, n_rename, c_ren, n_shift, c_shift
        dw n_prompt, c_prompt, n_break, c_rem, n_verify, c_rem, n_call, c_call
        dw 0
n_echo  db 'ECHO', 0
n_rem   db 'REM', 0
n_pause db 'PAUSE', 0
n_goto  db 'GOTO', 0
n_if    db 'IF', 0
n_set   db 'SET', 0
n_path  db 'PATH', 0
n_cd    db 'CD', 0
n_chdir db 'CHDIR', 0
n_md    db 'MD', 0
n_mkdir db 'MKDIR', 0
n_rd    db 'RD', 0
n_rmdir db 'RMDIR', 0
n_del   db 'DEL', 0
n_erase db 'ERASE', 0
n_type  db 'TYPE', 0
n_copy  db 'COPY', 0
n_dir   db 'DIR', 0
n_ver   db 'VER', 0
n_cls   db 'CLS', 0
n_exit  db 'EXIT', 0
n_ren   db 'REN', 0
n_rename db 'RENAME', 0
n_shift db 'SHIFT', 0
n_prompt db 'PROMPT', 0
n_call  db 'CALL', 0
n_break db 'BREAK', 0
n_verify db 'VERIFY', 0

; expand: si -> di with %NAME%, %0-%9, %%
expand:
        mov cx, 250
        cmp byte [exp_batch], 0
        jne .l
        jmp strcpy
.l:     lodsb
        test al, al
        jz .d
        cmp al, '%'
        je .pct
.st:    stosb
        loop .l
        jmp short .d
.pct:   mov al, [si]
        cmp al, '%'
        jne .n1
        inc si
        jmp .st
.n1:    cmp al, '0'
        jb .var
        cmp al, '0'
        jb .var
        cmp al, '9'
        ja .var
        inc si
        sub al, '0'
        push si
        push cx
        call batch_arg          ; si -> argument
        pop cx
        jc .na
.ca:    lodsb
        test al, al
        jz .na
        cmp al, ' '
        je .na
        cmp al, 9
        je .na
        stosb
        dec cx
        jnz .ca
.na:    pop si
        jmp .l
.var:   ; %NAME%
        push di
        mov di, varname
        mov bx, si
.vn:    lodsb
        test al, al
        jz .novar
        cmp al, '%'
        je .vd
        call upcase
        mov [di], al
        inc di
        cmp di, varname+40
        jb .vn
.novar: pop di
        mov si, bx
        mov al, '%'
        jmp .st
.vd:    mov byte [di], 0
        pop di
        push si
        push di
        mov si, varname
        call env_find           ; es:di = value
        mov si, di
        pop di
        jc .nv
.cv:    mov al, [es:si]
        test al, al
        jz .nv
        mov [di], al
        inc si
        inc di
        dec cx
        jnz .cv
.nv:    push cs
        pop es
        pop si
        jmp .l
.d:     mov byte [di], 0
        ret
varname times 42 db 0
exp_batch db 0

; batch_arg: al = n -> si = n-th word of bat_args (after SHIFTs), CF if none
shift_n db 0
batch_arg:
        add al, [shift_n]
        mov si, bat_args
        movzx cx, al
.l:     call skipsp
        cmp byte [si], 0
        je .no
        jcxz .y
.w:     lodsb
        test al, al
        jz .no
        cmp al, ' '
        je .nx
        cmp al, 9
        jne .w
.nx:    dec cx
        jmp .l
.y:     clc
        ret
.no:    stc
        ret
