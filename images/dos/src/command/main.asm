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
