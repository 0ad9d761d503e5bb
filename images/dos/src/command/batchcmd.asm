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
        call .word
        cmp dword [tmp], 'NOT'
        jne .n
        mov byte [if_not], 1
        call .word
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
; the next word of si into tmp, upper case -> bx = where it starts, si after it
.word:  mov di, tmp
        push si
        call getarg
        mov di, tmp
        call word_upper
        pop bx
        ret
if_not  db 0
