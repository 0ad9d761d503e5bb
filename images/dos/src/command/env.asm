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
