; ---------------------------------------------------------------- misc calls
; 0Dh disk reset
f_0d:   clc
        ret
; 0Eh select default drive
f_0e:   cmp dl, MAXDRV
        jae .x
        mov al, dl
        call drv_ptr
        jc .x
        mov [cur_drv], dl
.x:     mov byte [r_ax], 5      ; drives A: .. E: as DOS reports at least
        clc
        ret
; 19h get default drive
f_19:   mov al, [cur_drv]
        mov [r_ax], al
        clc
        ret
; 1Ah set disk transfer address
f_1a:   mov ax, [r_ds]
        mov [dta], dx
        mov [dta+2], ax
        clc
        ret
; 2Fh get disk transfer address
f_2f:   mov ax, [dta]
        mov [r_bx], ax
        mov ax, [dta+2]
        mov [r_es], ax
        clc
        ret
; 25h set interrupt vector
f_25:   movzx bx, al
        shl bx, 2
        push es
        xor ax, ax
        mov es, ax
        mov ax, [r_ds]
        cli
        mov [es:bx], dx
        mov [es:bx+2], ax
        sti
        pop es
        clc
        ret
; 35h get interrupt vector
f_35:   movzx bx, al
        shl bx, 2
        push es
        xor ax, ax
        mov es, ax
        mov ax, [es:bx]
        mov [r_bx], ax
        mov ax, [es:bx+2]
        mov [r_es], ax
        pop es
        clc
        ret
; 2Eh set verify flag
f_2e:   mov [verify], al
        clc
        ret
; 54h get verify flag
f_54:   mov al, [verify]
        mov [r_ax], al
        clc
        ret
; 30h get DOS version
f_30:   mov word [r_ax], 0005h  ; DOS 5.00
        mov word [r_bx], 0FF00h ; OEM FFh
        mov word [r_cx], 0
        clc
        ret
; 33h get/set Ctrl-Break flag, boot drive, true version
f_33:   cmp al, 0
        jne .1
        mov dl, [break_flag]
        mov [r_dx], dl
        jmp short .ok
.1:     cmp al, 1
        jne .5
        and dl, 1
        mov [break_flag], dl
        jmp short .ok
.5:     cmp al, 5
        jne .6
        mov dl, [boot_drv]
        inc dl
        mov [r_dx], dl
        jmp short .ok
.6:     cmp al, 6
        jne .2
        mov word [r_bx], 0005h
        mov word [r_dx], 0
        jmp short .ok
.2:     cmp al, 2               ; get and set
        jne .bad
        mov al, [break_flag]
        and dl, 1
        mov [break_flag], dl
        mov [r_dx], al
.ok:    clc
        ret
.bad:   mov byte [r_ax], 0FFh
        clc
        ret
; 37h get/set switch character
f_37:   cmp al, 0               ; switch character
        jne .1
        mov byte [r_dx], '/'
        mov byte [r_ax], 0
        clc
        ret
.1:     mov byte [r_ax], 0FFh
        clc
        ret
; 36h get free disk space
f_36:   mov al, dl
        call bl_drive
        jc .bad
        xor cx, cx              ; free clusters
        mov bx, 2
.l:     cmp bx, [si+D_MAXCL]
        ja .done
        mov ax, bx
        call fat_get
        jc .bad
        test ax, ax
        jnz .n
        inc cx
.n:     inc bx
        jmp .l
.done:  movzx ax, byte [si+D_SPC]
        mov [r_ax], ax
        mov [r_bx], cx
        mov word [r_cx], 512
        mov ax, [si+D_MAXCL]
        dec ax
        mov [r_dx], ax
        clc
        ret
.bad:   mov word [r_ax], 0FFFFh
        clc
        ret
; 50h set current PSP
f_50:   mov [cur_psp], bx
        clc
        ret
; 51h get current PSP
f_51:
; 62h get current PSP
f_62:   mov ax, [cur_psp]
        mov [r_bx], ax
        clc
        ret
; 52h get list of lists
f_52:   mov word [r_bx], lol
        mov word [r_es], KSEG
        clc
        ret
; 58h get/set memory allocation strategy
f_58:   cmp al, 0
        jne .1
        mov ax, [alloc_strat]
        mov [r_ax], ax
        clc
        ret
.1:     cmp al, 1
        jne .2
        mov [alloc_strat], bx
        clc
        ret
.2:     cmp al, 2               ; UMB link state: none
        jne .3
        mov byte [r_ax], 0
        clc
        ret
.3:     mov ax, 1
        stc
        ret
; 59h get extended error
f_59:   mov ax, [last_err]
        mov [r_ax], ax
        mov word [r_bx], 0D01h
        mov byte [r_cx+1], 1
        clc
        ret
; 66h get/set global code page
f_66:   cmp al, 1
        jne .s
        mov word [r_bx], 437
        mov word [r_dx], 437
.s:     clc
        ret
; 67h set handle count
f_67:   clc                     ; handle count: 20 is all we keep
        ret
; 68h commit file (also 6Ah)
f_68:   clc                     ; commit: writes are write-through
        ret

; 29h parse file name into FCB
f_29:   push ds
        mov es, [r_es]
        mov ds, [r_ds]
        mov bl, al
        mov dl, 0               ; result code
        test bl, 1
        jz .s1
.sk:    lodsb                   ; skip leading separators
        cmp al, ' '
        je .sk
        cmp al, 9
        je .sk
        cmp al, ','
        je .sk
        cmp al, ';'
        je .sk
        cmp al, '='
        je .sk
        cmp al, '+'
        je .sk
        dec si
.s1:    ; drive
        cmp byte [si+1], ':'
        jne .nod
        mov al, [si]
        or al, 20h
        sub al, 'a'-1
        mov [es:di], al
        add si, 2
        jmp short .nm
.nod:   test bl, 2
        jnz .nm
        mov byte [es:di], 0
.nm:    push di
        inc di
        mov cx, 8
        test bl, 4
        call .fld
        cmp byte [si], '.'
        jne .ne
        inc si
        mov cx, 3
        call .fld
        jmp short .fin
.ne:    test bl, 8
        jnz .fin
        mov cx, 3
.bl:    mov byte [es:di], ' '
        inc di
        loop .bl
.fin:   pop di
        pop ds
        mov [r_si], si
        mov [r_ax], dl
        clc
        ret
.fld:   ; copy up to cx chars, '*' fills '?', pad with blanks
.fl:    mov al, [si]
        cmp al, '*'
        je .star
        cmp al, ' '
        jbe .pad
        cmp al, '.'
        je .pad
        cmp al, '\'
        je .pad
        cmp al, '/'
        je .pad
        cmp al, ':'
        je .pad
        cmp al, ','
        je .pad
        cmp al, ';'
        je .pad
        cmp al, '='
        je .pad
        cmp al, '+'
        je .pad
        jcxz .skp
        cmp al, 'a'
        jb .up
        cmp al, 'z'
        ja .up
        sub al, 20h
.up:    cmp al, '?'
        jne .nq
        mov dl, 1
.nq:    stosb
        dec cx
.skp:   inc si
        jmp .fl
.star:  inc si
        mov dl, 1
.st:    jcxz .fl
        mov al, '?'
        stosb
        loop .st
        jmp .fl
.pad:   jcxz .r
        mov al, ' '
        rep stosb
.r:     ret
