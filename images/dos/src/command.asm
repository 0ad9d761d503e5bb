; LRDOS COMMAND.COM: runs AUTOEXEC.BAT, then the A:\> prompt.
; Uses only documented INT 21h services.
        bits 16
        cpu 386
        org 100h

STACK_SIZE equ 1024
ENV_SIZE   equ 1024

start:  jmp main

; ---------------------------------------------------------------- data
msg_bad     db 'Bad command or file name', 13, 10, 0
msg_fnf     db 'File not found', 13, 10, 0
msg_pnf     db 'Path not found', 13, 10, 0
msg_drv     db 'Invalid drive specification', 13, 10, 0
msg_dir     db 'Invalid directory', 13, 10, 0
msg_md      db 'Unable to create directory', 13, 10, 0
msg_rd      db 'Invalid path, not directory,', 13, 10, 'or directory not empty', 13, 10, 0
msg_acc     db 'Access denied', 13, 10, 0
msg_full    db 'Insufficient disk space', 13, 10, 0
msg_label   db 'Label not found', 13, 10, 0
msg_syntax  db 'Syntax error', 13, 10, 0
msg_envfull db 'Out of environment space', 13, 10, 0
msg_bmiss   db 'Batch file missing', 13, 10, 0
msg_parm    db 'Required parameter missing', 13, 10, 0
msg_mem     db 'Program too big to fit in memory', 13, 10, 0
msg_exe     db 'Error in EXE file', 13, 10, 0
msg_long    db 'Command line too long (DOS passes at most 126 characters to a program)', 13, 10, 0
msg_self    db 'File cannot be copied onto itself', 13, 10, 0
msg_copied  db ' file(s) copied', 13, 10, 0
msg_pause   db 'Press any key to continue . . .', 0
msg_echo    db 'ECHO is ', 0
msg_on      db 'on', 13, 10, 0
msg_off     db 'off', 13, 10, 0
msg_nopath  db 'No Path', 13, 10, 0
msg_ver     db 13, 10, 'LRDOS Version 1.0', 13, 10, 13, 10, 0
msg_vol     db ' Volume in drive ', 0
msg_nolabel db ' has no label', 13, 10, 0
msg_is      db ' is ', 0
msg_dirof   db ' Directory of ', 0
msg_files   db ' file(s) ', 0
msg_bytes   db ' bytes', 13, 10, 0
msg_free    db ' bytes free', 13, 10, 0
msg_dirtag  db '<DIR>     ', 0
msg_curdate db 'Current date is ', 0
msg_curtime db 'Current time is ', 0
msg_ioerr   db 'General failure', 13, 10, 0
msg_fcreate db 'File creation error', 13, 10, 0
msg_callfull db 'CALL nesting too deep', 13, 10, 0
autoexec    db '\AUTOEXEC.BAT', 0
s_path      db 'PATH', 0
s_starstar  db '*.*', 0
ext_list    db '.COM', 0, '.EXE', 0, '.BAT', 0, 0
days        db 'SunMonTueWedThuFriSat'

primary     db 0
echo_on     db 1
in_batch    db 0
errlevel    db 0
bat_pos     dd 0
bat_name    times 80 db 0
bat_args    times 130 db 0          ; the line that started the batch
save_sp     dw 0

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

; ---------------------------------------------------------------- strings
upcase:                         ; al
        cmp al, 'a'
        jb .r
        cmp al, 'z'
        ja .r
        sub al, 20h
.r:     ret
skipsp:                         ; si past blanks
        cmp byte [si], ' '
        je .n
        cmp byte [si], 9
        jne .r
.n:     inc si
        jmp skipsp
.r:     ret
is_delim:                       ; ZF=1 if al ends a word
        cmp al, ' '
        je .r
        cmp al, 9
        je .r
        cmp al, 0
        je .r
        cmp al, 13
        je .r
        cmp al, ','
        je .r
        cmp al, ';'
        je .r
        cmp al, '='
.r:     ret
; getarg: copy the next blank-delimited word at si into di (asciiz),
; CF when there is none
getarg:
        call skipsp
        mov al, [si]
        call is_delim
        je .none
.l:     mov al, [si]
        call is_delim
        je .e
        mov [di], al
        inc si
        inc di
        jmp .l
.e:     mov byte [di], 0
        clc
        ret
.none:  mov byte [di], 0
        stc
        ret
strcpy:                         ; si -> di incl. 0, di at the 0
        lodsb
        mov [di], al
        test al, al
        jz .r
        inc di
        jmp strcpy
.r:     ret
strlen:                         ; si -> cx
        push si
        xor cx, cx
.l:     cmp byte [si], 0
        je .r
        inc si
        inc cx
        jmp .l
.r:     pop si
        ret
; trim trailing blanks of the asciiz at si
rtrim:  push si
        call strlen
        add si, cx
.l:     cmp si, [esp]
        je .r
        cmp byte [si-1], ' '
        je .c
        cmp byte [si-1], 9
        jne .r
.c:     dec si
        mov byte [si], 0
        jmp .l
.r:     pop si
        ret

; ---------------------------------------------------------------- environment
; env_find: si = name (asciiz, upper case) -> es:di = value, CF if absent
;           bx = start of the entry
env_find:
        mov es, [envseg]
        xor di, di
.e:     cmp byte [es:di], 0
        je .no
        mov bx, di
        push si
.c:     lodsb
        test al, al
        jz .end
        mov ah, [es:di]
        xchg al, ah
        call upcase
        cmp al, ah
        jne .skip
        inc di
        jmp .c
.end:   cmp byte [es:di], '='
        jne .skip
        pop si
        inc di
        clc
        ret
.skip:  pop si
        mov di, bx
.s:     inc di
        cmp byte [es:di-1], 0
        jne .s
        jmp .e
.no:    stc
        ret
; env_end -> di = offset of the final 0 (es = env)
env_end:
        mov es, [envseg]
        xor di, di
.l:     cmp byte [es:di], 0
        je .r
.s:     inc di
        cmp byte [es:di-1], 0
        jne .s
        jmp .l
.r:     ret
; env_del: si = name
env_del:
        call env_find
        jc .r
        ; di = value; bx = entry; remove entry
        push ds
        mov di, bx
        mov si, bx
.s:     inc si
        cmp byte [es:si-1], 0
        jne .s
        push es
        pop ds
.m:     lodsb
        stosb
        test al, al
        jnz .m
        cmp byte [si], 0
        jne .m
        mov byte [es:di], 0
        pop ds
.r:     ret
; env_set: si = name, dx = value (both asciiz); CF when the block is full
env_set:
        push si
        call env_del
        pop si
        mov bx, dx
        cmp byte [bx], 0
        je .ok
        call env_end
        push si
        call strlen
        mov ax, cx
        mov si, dx
        call strlen
        add ax, cx
        add ax, di
        add ax, 3
        pop si
        cmp ax, [envsize]
        jae .full
.c1:    lodsb
        test al, al
        jz .eq
        stosb
        jmp .c1
.eq:    mov al, '='
        stosb
        mov si, dx
.c2:    lodsb
        stosb
        test al, al
        jnz .c2
        mov byte [es:di], 0
.ok:    clc
        ret
.full:  mov si, msg_envfull
        call puts
        stc
        ret
envseg  dw 0
envsize dw ENV_SIZE

; ---------------------------------------------------------------- main
main:
        mov sp, stack_top
        ; keep only what we need, so programs get the rest
        mov bx, (prog_end - start + 100h + 15) / 16
        mov ah, 4Ah
        int 21h
        ; a private environment large enough for SET
        mov bx, ENV_SIZE / 16
        mov ah, 48h
        int 21h
        jc .noenv
        mov es, ax
        xor di, di
        mov cx, ENV_SIZE
        xor al, al
        rep stosb
        push ds
        mov ds, [2Ch]
        xor si, si
        xor di, di
.ce:    cmp word [si], 0
        je .ced
        movsb
        cmp di, ENV_SIZE - 4
        jb .ce
.ced:   movsb
        mov byte [es:di], 0
        pop ds
        mov [2Ch], es
.noenv: mov ax, [2Ch]
        mov [envseg], ax
        push ds
        pop es
        mov ah, 1Ah
        mov dx, dta
        int 21h
        ; our own INT 23h: Ctrl-C at the prompt returns to it
        mov ax, 2523h
        mov dx, ctrlc
        int 21h
        ; primary shell? (its own parent)
        mov ax, [16h]
        mov bx, cs
        cmp ax, bx
        jne .tail
        mov byte [primary], 1
.tail:  ; /C command runs one command; /P runs AUTOEXEC.BAT
        mov si, 81h
.t:     call skipsp
        lodsb
        cmp al, '/'
        jne .tdone
        lodsb
        call upcase
        cmp al, 'C'
        je .slashc
        cmp al, 'P'
        jne .t
        mov byte [primary], 1
        jmp .t
.slashc:
        mov di, line+2
.sc:    lodsb
        cmp al, 13
        je .scd
        mov [di], al
        inc di
        jmp .sc
.scd:   mov byte [di], 0
        mov si, line+2
        call do_line
        mov al, [errlevel]
        mov ah, 4Ch
        int 21h
.tdone:
        cmp byte [primary], 0
        je prompt
        ; AUTOEXEC.BAT on the boot drive
        mov ax, 3305h
        int 21h
        add dl, 'A'-1
        mov [bat_name], dl
        mov byte [bat_name+1], ':'
        mov si, autoexec
        mov di, bat_name+2
        call strcpy
        mov ax, 3D00h
        mov dx, bat_name
        int 21h
        jc .noauto
        mov bx, ax
        mov ah, 3Eh
        int 21h
        mov byte [in_batch], 1
        mov dword [bat_pos], 0
        mov byte [echo_on], 1
        mov si, bat_name
        mov di, bat_args
        call strcpy
        jmp prompt
.noauto:
        call show_datetime

prompt:
        mov sp, stack_top
        push cs
        pop ds
        push cs
        pop es
        cmp byte [in_batch], 0
        jne .batch
        call crlf_if_needed
        call show_prompt
        mov byte [line], 128
        mov ah, 0Ah
        mov dx, line
        int 21h
        mov al, 10
        call putc
        movzx bx, byte [line+1]
        mov byte [line+2+bx], 0
        mov si, line+2
        mov byte [exp_batch], 0 ; DOS expands %VAR% in batch files only
        call do_line
        jmp prompt
.batch: call batch_read
        jc prompt
        mov byte [exp_batch], 1
        mov si, line+2
        call skipsp
        cmp byte [si], ':'      ; labels are not commands
        je prompt
        cmp byte [si], '@'
        je .quiet
        cmp byte [echo_on], 0
        je .run
        cmp byte [si], 0
        je .run
        call show_prompt
        call puts
        call crlf
.run:   call do_line
        jmp prompt
.quiet: inc si
        call do_line
        jmp prompt

crlf_if_needed:
        jmp crlf

ctrlc:  ; Ctrl-C: drop the batch and go back to the prompt
        push cs
        pop ds
        mov byte [in_batch], 0
        jmp prompt

show_prompt:
        push si
        mov ah, 19h
        int 21h
        add al, 'A'
        call putc
        mov al, ':'
        call putc
        mov al, '\'
        call putc
        mov si, cwdbuf
        mov dl, 0
        mov ah, 47h
        int 21h
        call puts
        mov al, '>'
        call putc
        pop si
        ret

show_datetime:
        mov si, msg_curdate
        call puts
        mov ah, 2Ah
        int 21h
        movzx bx, al
        imul bx, 3
        push cx
        push dx
        lea si, [days+bx]
        mov cx, 3
.d:     lodsb
        call putc
        loop .d
        mov al, ' '
        call putc
        pop dx
        pop cx
        mov al, dh
        call put2
        mov al, '-'
        call putc
        mov al, dl
        call put2
        mov al, '-'
        call putc
        movzx eax, cx
        xor cx, cx
        call putnum
        call crlf
        mov si, msg_curtime
        call puts
        mov ah, 2Ch
        int 21h
        movzx eax, ch
        mov bx, cx
        mov cx, 2
        call putnum
        mov al, ':'
        call putc
        mov al, bl
        call put2
        mov al, ':'
        call putc
        mov al, dh
        call put2
        mov al, '.'
        call putc
        mov al, dl
        call put2
        call crlf
        ret

; batch_read: next line of the batch file into line+2 (asciiz); CF at end
batch_read:
        mov ax, 3D00h
        mov dx, bat_name
        int 21h
        jc .missing
        mov bx, ax
        mov dx, [bat_pos]
        mov cx, [bat_pos+2]
        mov ax, 4200h
        int 21h
        mov ah, 3Fh
        mov cx, 256             ; line and line2: a long line's end is found
        mov dx, line+2
        int 21h
        push ax
        mov ah, 3Eh
        int 21h
        pop cx
        jcxz .end
        mov si, line+2
        xor bx, bx
.f:     cmp bx, cx
        je .eol
        mov al, [si+bx]
        cmp al, 1Ah
        je .eof
        cmp al, 13
        je .eol
        cmp al, 10
        je .eol
        inc bx
        jmp .f
.eof:   mov byte [in_batch], 0
        test bx, bx
        jz .end
.eol:   mov dl, 0
        cmp bx, cx
        je .z
        mov dl, [si+bx]
.z:     mov byte [si+bx], 0
        mov ax, bx
        cmp bx, cx
        je .adv
        inc ax
        cmp dl, 13
        jne .adv
        cmp ax, cx
        je .adv
        cmp byte [si+bx+1], 10
        jne .adv
        inc ax
.adv:   movzx eax, ax
        add [bat_pos], eax
        mov byte [line+2+127], 0 ; DOS keeps 127 characters of a line
        clc
        ret
.missing:
        mov si, msg_bmiss
        call puts
.end:   mov byte [in_batch], 0
        call bat_pop            ; a CALLed batch returns to its caller
        stc
        ret

; the state of a batch file, saved by CALL: bat_pos, bat_name, bat_args
; (contiguous), echo_on, shift_n
BFRAME  equ 4 + 80 + 130 + 2
MAXCALL equ 4
bat_push:
        cmp byte [call_depth], MAXCALL
        jae .full
        movzx di, byte [call_depth]
        imul di, BFRAME
        add di, call_stack
        mov si, bat_pos
        mov cx, 4 + 80 + 130
        rep movsb
        mov al, [echo_on]
        stosb
        mov al, [shift_n]
        stosb
        inc byte [call_depth]
        clc
        ret
.full:  stc
        ret
bat_pop:
        cmp byte [call_depth], 0
        je .r
        dec byte [call_depth]
        movzx si, byte [call_depth]
        imul si, BFRAME
        add si, call_stack
        mov di, bat_pos
        mov cx, 4 + 80 + 130
        rep movsb
        lodsb
        mov [echo_on], al
        lodsb
        mov [shift_n], al
        mov byte [in_batch], 1
.r:     ret
call_depth db 0
calling db 0

; CALL batch [args]: run another batch file and come back
c_call: mov si, [args]
        call skipsp
        mov byte [calling], 1
        mov di, line2
        call strcpy
        mov si, line2
        mov byte [noexp], 1
        call do_line
        mov byte [noexp], 0
        mov byte [calling], 0
        ret

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

; ---------------------------------------------------------------- internals
c_rem:  ret

c_echo: mov si, [args]
        cmp byte [si], '.'
        je .dot
        call skipsp
        cmp byte [si], 0
        je .show
        mov di, tmp
        push si
        call getarg
        pop si
        jc .show
        mov di, tmp
        call word_upper
        mov di, tmp
        cmp word [di], 'ON'
        jne .non
        cmp byte [di+2], 0
        je .on
.non:
        cmp dword [di], 'OFF'
        je .off
        call puts
        jmp crlf
.dot:   inc si
        call puts
        jmp crlf
.on:    mov byte [echo_on], 1
        ret
.off:   mov byte [echo_on], 0
        ret
.show:  mov si, msg_echo
        call puts
        mov si, msg_on
        cmp byte [echo_on], 0
        jne .s
        mov si, msg_off
.s:     jmp puts

word_upper:                     ; di asciiz in place
.l:     mov al, [di]
        test al, al
        jz .r
        call upcase
        mov [di], al
        inc di
        jmp .l
.r:     ret

c_pause:
        mov si, msg_pause
        call puts
        mov ah, 8
        int 21h
        jmp crlf

c_shift:
        inc byte [shift_n]
        ret

; PROMPT text: kept in the environment (the prompt shown is always $P$G)
c_prompt:
        mov si, [args]
        call skipsp
        mov dx, si
        mov si, s_prompt
        jmp env_set
s_prompt db 'PROMPT', 0

c_goto: mov si, [args]
        call skipsp
        cmp byte [si], ':'
        jne .g
        inc si
.g:     mov di, tmp
        call getarg
        jc .nolab
        mov di, tmp
        call word_upper
        cmp byte [in_batch], 0
        je .r
        mov dword [bat_pos], 0
.next:  call batch_read
        jc .nolab
        mov si, line+2
        call skipsp
        cmp byte [si], ':'
        jne .next
        inc si
        mov di, tmp2
        call getarg
        jc .next
        mov di, tmp2
        call word_upper
        ; labels compare on their first 8 characters, as in DOS
        mov si, tmp
        mov di, tmp2
        mov cx, 8
.c:     mov al, [si]
        cmp al, [di]
        jne .next
        test al, al
        jz .found
        inc si
        inc di
        loop .c
.found: mov byte [in_batch], 1
.r:     ret
.nolab: mov si, msg_label
        call puts
        mov byte [in_batch], 0
        mov byte [call_depth], 0
        ret

c_if:   mov si, [args]
        mov byte [if_not], 0
        call skipsp
        mov di, tmp
        push si
        call getarg
        mov di, tmp
        call word_upper
        pop bx
        cmp dword [tmp], 'NOT'
        jne .n
        mov byte [if_not], 1
        mov di, tmp
        push si
        call getarg
        mov di, tmp
        call word_upper
        pop bx
.n:     ; bx = start of this word, si after it
        mov di, tmp
        cmp dword [di], 'ERRO'
        jne .ex
        cmp dword [di+4], 'RLEV'
        jne .ex
        cmp word [di+8], 'EL'
        jne .ex
        mov di, tmp
        call getarg
        jc .syn
        ; number
        xor ax, ax
        mov di, tmp
.num:   movzx dx, byte [di]
        test dl, dl
        jz .nd
        sub dl, '0'
        cmp dl, 9
        ja .syn
        imul ax, 10
        add ax, dx
        inc di
        jmp .num
.nd:    cmp [errlevel], al
        setae al
        jmp .decide
.ex:    cmp dword [di], 'EXIS'
        jne .eq
        cmp word [di+4], 'T'
        jne .eq
        mov di, tmp
        call getarg
        jc .syn
        push si
        mov ah, 4Eh
        mov cx, 6
        mov dx, tmp
        int 21h
        pop si
        setnc al
        jmp .decide
.eq:    ; string1==string2
        mov si, bx
        call skipsp
        mov di, tmp
.s1:    mov al, [si]
        test al, al
        jz .syn
        cmp al, '='
        je .s1d
        cmp al, ' '
        je .s1d
        mov [di], al
        inc si
        inc di
        jmp .s1
.s1d:   mov byte [di], 0
        call skipsp
        cmp word [si], '=='
        jne .syn
        add si, 2
        call skipsp
        mov di, tmp2
.s2:    mov al, [si]
        test al, al
        jz .s2d
        cmp al, ' '
        je .s2d
        mov [di], al
        inc si
        inc di
        jmp .s2
.s2d:   mov byte [di], 0
        push si
        mov si, tmp
        mov di, tmp2
.cmp:   mov al, [si]
        cmp al, [di]
        jne .ne
        test al, al
        jz .eqs
        inc si
        inc di
        jmp .cmp
.ne:    pop si
        mov al, 0
        jmp .decide
.eqs:   pop si
        mov al, 1
.decide:
        xor al, [if_not]
        jz .r
        call skipsp
        jmp do_line_noexp
.syn:   mov si, msg_syntax
        jmp puts
.r:     ret
if_not  db 0

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

; split the path at tmp: dirpart = up to and including the last '\' or ':'
; -> [namepos] = offset of the name part in tmp
split_path:
        mov si, tmp
        mov [namepos], si
.l:     lodsb
        test al, al
        jz .r
        cmp al, '\'
        je .s
        cmp al, '/'
        je .s
        cmp al, ':'
        jne .l
.s:     mov [namepos], si
        jmp .l
.r:     ret
namepos dw 0

; fullname: dir part of tmp + DTA name -> fname
fullname:
        mov si, tmp
        mov di, fname
.l:     cmp si, [namepos]
        je .n
        lodsb
        stosb
        jmp .l
.n:     mov si, dta+30
        jmp strcpy

c_del:  mov si, [args]
        mov di, tmp
        call getarg
        jc c_md.parm
        call split_path
        mov ah, 4Eh
        mov cx, 0
        mov dx, tmp
        int 21h
        jc .nf
.l:     call fullname
        mov ah, 41h
        mov dx, fname
        int 21h
        jnc .n
        mov si, msg_acc
        call puts
.n:     mov ah, 4Fh
        int 21h
        jnc .l
        ret
.nf:    cmp ax, 3
        je .pnf
        mov si, msg_fnf
        jmp puts
.pnf:   mov si, msg_pnf
        jmp puts

c_ren:  mov si, [args]
        mov di, tmp
        call getarg
        jc c_md.parm
        mov di, tmp2
        call getarg
        jc c_md.parm
        call split_path
        ; the new name goes in the directory of the old one
        mov si, tmp
        mov di, fname
.l:     cmp si, [namepos]
        je .n
        lodsb
        stosb
        jmp .l
.n:     mov si, tmp2
        call strcpy
        mov ah, 56h
        mov dx, tmp
        mov di, fname
        int 21h
        jnc .r
        mov si, msg_fnf
        cmp ax, 2
        je .p
        mov si, msg_acc
.p:     jmp puts
.r:     ret

c_type: mov si, [args]
        mov di, tmp
        call getarg
        jc c_md.parm
        mov ax, 3D00h
        mov dx, tmp
        int 21h
        jc .nf
        mov bx, ax
.l:     mov ah, 3Fh
        mov cx, 512
        mov dx, iobuf
        int 21h
        jc .d
        test ax, ax
        jz .d
        mov cx, ax
        ; stop at ^Z
        mov di, iobuf
        push cx
        mov al, 1Ah
        repne scasb
        pop cx
        jne .w
        mov cx, di
        sub cx, iobuf+1
        push bx
        mov ah, 40h
        mov bx, 1
        mov dx, iobuf
        int 21h
        pop bx
        jmp short .d
.w:     push bx
        mov ah, 40h
        mov bx, 1
        mov dx, iobuf
        int 21h
        pop bx
        jmp .l
.d:     mov ah, 3Eh
        int 21h
        ret
.nf:    mov si, msg_fnf
        cmp ax, 3
        jne .nf2
        mov si, msg_pnf
.nf2:   jmp puts

; COPY source [destination]
c_copy: mov si, [args]
        mov di, tmp
        call getarg
        jc c_md.parm
        mov di, tmp2
        call getarg
        jnc .hd
        mov word [tmp2], '.'
.hd:    mov dword [ncopied], 0
        call split_path
        ; destination a directory (or drive)?
        mov byte [dst_isdir], 0
        mov si, tmp2
        call strlen
        mov bx, cx
        mov al, [tmp2+bx-1]
        cmp al, '\'
        je .dir
        cmp al, ':'
        je .dir
        cmp word [tmp2], '.'
        je .dir
        mov ax, 4300h
        mov dx, tmp2
        int 21h
        jc .nd
        test cl, 10h
        jz .nd
.dir:   mov byte [dst_isdir], 1
.nd:    mov ah, 4Eh
        mov cx, 0
        mov dx, tmp
        int 21h
        jc c_del.nf
.file:  call fullname
        ; destination name
        mov si, tmp2
        mov di, fname2
        call strcpy
        cmp byte [dst_isdir], 0
        je .go
        cmp byte [di-1], '\'
        je .nosl
        cmp byte [di-1], ':'
        je .nosl
        mov byte [di], '\'
        inc di
.nosl:  mov si, dta+30
        call strcpy
.go:    call copy_one
        jc .stop
        inc dword [ncopied]
        mov ah, 4Fh
        int 21h
        jnc .file
.stop:  mov eax, [ncopied]
        mov cx, 9
        call putnum
        mov si, msg_copied
        jmp puts
ncopied dd 0
dst_isdir db 0

; copy_one: fname -> fname2, CF to stop
copy_one:
        ; same file? compare the names as typed (after a canonical pass)
        mov si, fname
        mov di, canon1
        call canon
        mov si, fname2
        mov di, canon2
        call canon
        mov si, canon1
        mov di, canon2
.cmp:   mov al, [si]
        cmp al, [di]
        jne .diff
        inc si
        inc di
        test al, al
        jnz .cmp
        mov si, msg_self
        call puts
        stc
        ret
.diff:  mov ax, 3D00h
        mov dx, fname
        int 21h
        jc .nf
        mov [h_src], ax
        mov ah, 3Ch
        xor cx, cx
        mov dx, fname2
        int 21h
        jc .cerr
        mov [h_dst], ax
.l:     mov ah, 3Fh
        mov bx, [h_src]
        mov cx, IOBUF_SIZE
        mov dx, iobuf
        int 21h
        jc .rerr
        test ax, ax
        jz .done
        mov cx, ax
        mov ah, 40h
        mov bx, [h_dst]
        mov dx, iobuf
        int 21h
        jc .full
        cmp ax, cx
        jne .full
        jmp .l
.done:  ; keep the source's date and time, as DOS does
        mov ax, 5700h
        mov bx, [h_src]
        int 21h
        mov ax, 5701h
        mov bx, [h_dst]
        int 21h
        mov ah, 3Eh
        mov bx, [h_dst]
        int 21h
        mov ah, 3Eh
        mov bx, [h_src]
        int 21h
        clc
        ret
.full:  mov ah, 3Eh
        mov bx, [h_dst]
        int 21h
        mov ah, 41h
        mov dx, fname2
        int 21h
        mov ah, 3Eh
        mov bx, [h_src]
        int 21h
        mov si, msg_full
        call puts
        stc
        ret
.rerr:  mov si, msg_ioerr
        call puts
        jmp .full
.cerr:  mov ah, 3Eh
        mov bx, [h_src]
        int 21h
        mov si, msg_acc
        cmp ax, 3
        jne .p
        mov si, msg_pnf
.p:     call puts
        stc
        ret
.nf:    mov si, msg_fnf
        call puts
        stc
        ret
h_src   dw 0
h_dst   dw 0

; canon: si path -> di "X:\DIR\NAME" upper case (drive and cwd added)
canon:
        mov ah, 19h
        int 21h
        mov dl, al
        cmp byte [si+1], ':'
        jne .nd
        mov al, [si]
        call upcase
        sub al, 'A'
        mov dl, al
        add si, 2
.nd:    mov al, dl
        add al, 'A'
        mov [di], al
        mov word [di+1], ':\'
        add di, 3
        cmp byte [si], '\'
        je .abs
        push si
        mov si, di
        inc dl
        mov ah, 47h
        int 21h
        pop si
.e:     cmp byte [di], 0
        je .ee
        inc di
        jmp .e
.ee:    cmp byte [di-1], '\'
        je .cp
        mov byte [di], '\'
        inc di
        jmp short .cp
.abs:   inc si
.cp:    lodsb
        call upcase
        stosb
        test al, al
        jnz .cp
        ret

; DIR [pattern]
c_dir:  mov si, [args]
.arg:   mov di, tmp
        call getarg
        jc .none0
        cmp byte [tmp], '/'     ; switches (/W /P ...) are accepted and ignored
        je .arg
        jmp short .a
.none0: mov word [tmp], 0
.a:     ; pattern: add *.* to directories and drives
        mov si, tmp
        call strlen
        mov bx, cx
        test bx, bx
        jz .star
        mov al, [tmp+bx-1]
        cmp al, '\'
        je .star
        cmp al, ':'
        je .star
        ; a directory name?
        mov ax, 4300h
        mov dx, tmp
        int 21h
        jc .pat
        test cl, 10h
        jz .pat
        mov byte [tmp+bx], '\'
        inc bx
.star:  mov dword [tmp+bx], '*.*'
        jmp short .go
.pat:   ; a name without extension matches NAME.*
        call split_path
        mov si, [namepos]
.x:     lodsb
        test al, al
        jz .noext
        cmp al, '.'
        je .go
        jmp .x
.noext: mov word [si-1], '.*'
        mov byte [si+1], 0
.go:    call split_path
        ; drive letter
        mov ah, 19h
        int 21h
        cmp byte [tmp+1], ':'
        jne .d0
        mov al, [tmp]
        call upcase
        sub al, 'A'
.d0:    mov [dir_drv], al
        ; volume label
        mov si, msg_vol
        call puts
        mov al, [dir_drv]
        add al, 'A'
        call putc
        mov byte [fname], al
        mov word [fname+1], ':\'
        mov dword [fname+3], '*.*'
        mov ah, 4Eh
        mov cx, 8
        mov dx, fname
        int 21h
        jc .nolab
        test byte [dta+21], 8
        jz .nolab
        mov si, msg_is
        call puts
        mov si, dta+30
        ; labels have no dot
        mov di, fname
.lb:    lodsb
        cmp al, '.'
        je .lb
        mov [di], al
        inc di
        test al, al
        jnz .lb
        mov si, fname
        call puts
        call crlf
        jmp short .hdr
.nolab: mov si, msg_nolabel
        call puts
.hdr:   mov si, msg_dirof
        call puts
        ; the directory: drive + canonical path of the pattern's dir part
        mov bx, [namepos]
        mov al, [bx]
        mov byte [bx], 0
        push ax
        mov si, tmp
        mov di, fname
        call canon
        pop ax
        mov bx, [namepos]
        mov [bx], al
        mov si, fname
        call strlen
        mov bx, cx
        cmp bx, 3
        jbe .nt
        cmp byte [fname+bx-1], '\'
        jne .nt
        mov byte [fname+bx-1], 0
.nt:    call puts
        call crlf
        call crlf
        mov dword [dir_files], 0
        mov dword [dir_bytes], 0
        mov ah, 4Eh
        mov cx, 10h
        mov dx, tmp
        int 21h
        jc .none
.e:     call dir_line
        mov ah, 4Fh
        int 21h
        jnc .e
.sum:   mov eax, [dir_files]
        mov cx, 9
        call putnum
        mov si, msg_files
        call puts
        mov eax, [dir_bytes]
        mov cx, 14
        call putnum
        mov si, msg_bytes
        call puts
        mov ah, 36h
        mov dl, [dir_drv]
        inc dl
        int 21h
        cmp ax, 0FFFFh
        je .r
        mul cx                  ; bytes per cluster
        movzx eax, ax
        movzx ebx, bx
        imul eax, ebx
        mov cx, 29
        call putnum
        mov si, msg_free
        call puts
.r:     ret
.none:  mov si, msg_fnf
        call puts
        jmp .sum
dir_drv db 0
dir_files dd 0
dir_bytes dd 0

; one DIR line from the DTA: NAME     EXT      size mm-dd-yy  hh:mm
dir_line:
        mov si, dta+30
        xor cx, cx
        cmp byte [si], '.'
        je .dots
.n:     lodsb
        test al, al
        jz .pe
        cmp al, '.'
        je .ext
        call putc
        inc cx
        jmp .n
.dots:  call puts
        call strlen
        add si, cx
        jmp short .pe
.ext:   call .pad8
        mov al, ' '
        call putc
        xor cx, cx
.x:     lodsb
        test al, al
        jz .pe3
        call putc
        inc cx
        jmp .x
.pe:    call .pad8
        mov al, ' '
        call putc
        xor cx, cx
.pe3:   cmp cx, 3
        jae .sz
        mov al, ' '
        call putc
        inc cx
        jmp .pe3
.sz:    test byte [dta+21], 10h
        jz .file
        mov si, msg_dirtag
        mov al, ' '
        call putc
        mov al, ' '
        call putc
        call puts
        jmp short .dt
.file:  mov eax, [dta+26]
        add [dir_bytes], eax
        mov cx, 14
        call putnum
        mov al, ' '
        call putc
.dt:    inc dword [dir_files]
        mov ax, [dta+24]        ; date
        push ax
        shr ax, 5
        and al, 15
        call put2
        mov al, '-'
        call putc
        pop ax
        push ax
        and al, 31
        call put2
        mov al, '-'
        call putc
        pop ax
        shr ax, 9
        add ax, 80
        mov bl, 100
        div bl
        mov al, ah
        call put2
        mov al, ' '
        call putc
        call putc
        mov ax, [dta+22]        ; time
        push ax
        shr ax, 11
        movzx eax, al
        mov cx, 2
        call putnum
        mov al, ':'
        call putc
        pop ax
        shr ax, 5
        and al, 63
        call put2
        jmp crlf
.pad8:  cmp cx, 8
        jae .p8
        mov al, ' '
        call putc
        inc cx
        jmp .pad8
.p8:    ret

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
.cpv:   mov al, [es:di]
        mov [si], al
        test al, al
        jz .cpd
        inc di
        inc si
        loop .cpv
        mov byte [si], 0
.cpd:   push cs
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

; ---------------------------------------------------------------- buffers
IOBUF_SIZE equ 4096
        align 2
prog_data:
line    equ prog_data           ; 0Ah buffer: 130
line2   equ line + 132
xline   equ line2 + 260
cmdword equ xline + 260
args    equ cmdword + 82
tmp     equ args + 2
tmp2    equ tmp + 132
fname   equ tmp2 + 132
fname2  equ fname + 132
canon1  equ fname2 + 132
canon2  equ canon1 + 132
pdir    equ canon2 + 132
cwdbuf  equ pdir + 132
dta     equ cwdbuf + 68
tail    equ dta + 128
fcb1    equ tail + 130
fcb2    equ fcb1 + 37
pblock  equ fcb2 + 37
call_stack equ pblock + 16
iobuf   equ call_stack + BFRAME*MAXCALL
stack_bottom equ iobuf + IOBUF_SIZE
stack_top equ stack_bottom + STACK_SIZE
prog_end equ stack_top
