; ---------------------------------------------------------------- memory
; MCB: 0 'M'/'Z', 1 owner, 3 size, 8 name
; mcb_merge: es = free MCB: absorb the free blocks that follow
mcb_merge:
        push ax
        push bx
.l:     cmp byte [es:0], 'Z'
        je .d
        mov ax, es
        add ax, [es:3]
        inc ax
        push es
        mov es, ax
        mov bl, [es:0]
        cmp word [es:1], 0
        pop es
        jne .d
        cmp bl, 'M'
        je .j
        cmp bl, 'Z'
        jne .d
.j:     mov [es:0], bl
        push ds
        mov ds, ax
        mov ax, [3]
        pop ds
        inc ax
        add [es:3], ax
        jmp .l
.d:     pop bx
        pop ax
        ret

; mem_alloc: bx = paragraphs -> ax = segment, CF ax=8 bx=largest / ax=7
mem_alloc:
        mov ax, [first_mcb]
        xor dx, dx              ; largest
        mov [ma_best], word 0
.l:     mov es, ax
        mov cl, [es:0]
        cmp cl, 'M'
        je .v
        cmp cl, 'Z'
        jne .bad
.v:     cmp word [es:1], 0
        jne .n
        call mcb_merge
        mov cx, [es:3]
        cmp cx, dx
        jbe .nl
        mov dx, cx
.nl:    cmp cx, bx
        jb .n
        ; fits: first fit, or last fit for strategy 2
        mov [ma_best], es
        test byte [alloc_strat], 2
        jz .take
.n:     cmp byte [es:0], 'Z'
        je .end
        mov ax, es
        add ax, [es:3]
        inc ax
        jmp .l
.end:   mov ax, [ma_best]
        test ax, ax
        jz .none
        mov es, ax
.take:  ; split es into bx + rest
        mov cx, [es:3]
        sub cx, bx
        jz .own
        call mcb_split
.own:   mov ax, [cur_psp]
        test ax, ax
        jnz .o
        mov ax, 8
.o:     mov [es:1], ax
        mov ax, es
        inc ax
        clc
        ret
.none:  mov bx, dx
        mov ax, 8
        stc
        ret
.bad:   mov ax, 7
        stc
        ret
ma_best dw 0

; 48h allocate memory
f_48:   call mem_alloc
        jc .e
        mov [r_ax], ax
        ret
.e:     cmp ax, 8
        jne .x
        mov [r_bx], bx
.x:     stc
        ret

mcb_check:                      ; es = block segment -> es = MCB, CF ax=9
        mov ax, es
        dec ax
        mov es, ax
        cmp byte [es:0], 'M'
        je .ok
        cmp byte [es:0], 'Z'
        je .ok
        mov ax, 9
        stc
        ret
.ok:    clc
        ret

; 49h free memory
f_49:   mov es, [r_es]
        call mcb_check
        jc .r
        mov word [es:1], 0
.r:     ret

; 4Ah resize memory block
f_4a:   mov es, [r_es]
        call mcb_check
        jc .r
        call mem_resize
        jnc .r
        cmp ax, 8
        jne .r
        mov [r_bx], bx
        stc
.r:     ret

; mcb_split: es = MCB, bx = paragraphs to keep, cx = paragraphs beyond them
; (> 0): the rest becomes a free block -> ax = its MCB
mcb_split:
        dec cx
        mov ax, es
        add ax, bx
        inc ax
        push ds
        mov ds, ax
        mov dl, [es:0]
        mov [0], dl
        mov word [1], 0
        mov [3], cx
        pop ds
        mov byte [es:0], 'M'
        mov [es:3], bx
        ret

; mem_resize: es = MCB, bx = new size -> CF ax=8 bx=max
mem_resize:
        mov ax, [es:1]
        push ax
        mov word [es:1], 0
        call mcb_merge
        pop ax
        mov [es:1], ax
        mov cx, [es:3]
        cmp bx, cx
        ja .grow
        je .ok
        ; shrink: the rest becomes a free block
        sub cx, bx
        call mcb_split
        ; merge the new free block with a free successor
        push es
        mov es, ax
        call mcb_merge
        pop es
.ok:    clc
        ret
.grow:  mov bx, cx
        mov ax, 8
        stc
        ret

; free every block owned by PSP ax
mem_free_owner:
        push es
        mov bx, [first_mcb]
.l:     mov es, bx
        cmp [es:1], ax
        jne .n
        mov word [es:1], 0
.n:     cmp byte [es:0], 'Z'
        je .d
        cmp byte [es:0], 'M'
        jne .d
        add bx, [es:3]
        inc bx
        jmp .l
.d:     pop es
        ret
