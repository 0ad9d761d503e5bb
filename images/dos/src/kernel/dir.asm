; ---------------------------------------------------------------- directories
; dir_entry: si = drive, ax = dir cluster (0 root), bx = index
;   -> di = entry pointer (cache), [ent_lba], [ent_off]; CF at the end
ent_lba dd 0
ent_off dw 0
dir_entry:
        push eax
        push ecx
        push edx
        push bx
        test ax, ax
        jnz .sub
        cmp bx, [si+D_ROOTENT]
        jae .end
        movzx eax, bx
        shr eax, 4
        add eax, [si+D_ROOT]
        jmp short .rd
.sub:   movzx cx, byte [si+D_SPC]
        shl cx, 4               ; entries per cluster
        push ax
        mov ax, bx
        xor dx, dx
        div cx                  ; ax = clusters to skip, dx = index in cluster
        mov cx, ax
        pop ax
.sk:    jcxz .in
        call fat_get
        jc .end
        cmp ax, 0FFF7h
        jae .end
        dec cx
        jmp .sk
.in:    cmp ax, 2
        jb .end
        call clus_lba
        movzx edx, dx
        shr edx, 4
        add eax, edx
.rd:    mov [ent_lba], eax
        call getsec_e
        jc .end
        and bx, 15
        shl bx, 5
        add di, bx
        mov [ent_off], bx
        pop bx
        pop edx
        pop ecx
        pop eax
        clc
        ret
.end:   pop bx
        pop edx
        pop ecx
        pop eax
        stc
        ret

; re-fetch the entry recorded in ent_lba/ent_off -> di
ent_get:
        push eax
        mov eax, [ent_lba]
        call getsec_e
        jc .e
        add di, [ent_off]
.e:     pop eax
        ret
ent_put:                        ; write back the sector holding the entry
        push eax
        push di
        mov eax, [ent_lba]
        call getsec_e
        jc .e
        call putsec
.e:     pop di
        pop eax
        ret

; name_to_ent: fcbname -> the 11 name bytes of the entry at cs:di (di kept)
name_to_ent:
        push si
        push es
        push cs
        pop es
        push di
        mov si, fcbname
        mov cx, 11
        rep movsb
        pop di
        pop es
        pop si
        ret

; name_match: compare 11 bytes at di (entry) with pattern at fcbname ('?' wild)
name_match:
        push ax
        push si
        push cx
        push di
        mov si, fcbname
        mov cx, 11
.l:     mov al, [si]
        cmp al, '?'
        je .n
        cmp al, [di]
        jne .ne
.n:     inc si
        inc di
        loop .l
        cmp al, al
.ne:    pop di
        pop cx
        pop si
        pop ax
        ret

; dir_find: si = drive, ax = dir cluster, fcbname = pattern, dl = attr mask
;   of entries that are skipped (e.g. 08h labels)
;   -> di = entry, bx = index, CF if not found
dir_find:
        xor bx, bx
.l:     call dir_entry
        jc .nf
        cmp byte [di], 0
        je .nf
        cmp byte [di], 0E5h
        je .n
        test [di+11], dl
        jnz .n
        call name_match
        je .f
.n:     inc bx
        jmp .l
.f:     clc
        ret
.nf:    stc
        ret

; dir_free_slot: si = drive, ax = dir cluster -> di = free entry (extends
; a subdirectory by one cluster when needed), CF if the root is full
dir_free_slot:
        xor bx, bx
.l:     call dir_entry
        jc .ext
        cmp byte [di], 0
        je .f
        cmp byte [di], 0E5h
        je .f
        inc bx
        jmp .l
.f:     clc
        ret
.ext:   test ax, ax
        jz .full
        push ax
        push bx
        ; find the last cluster of the directory
        mov bx, ax
.lc:    mov ax, bx
        call fat_get
        cmp ax, 0FFF7h
        jae .last
        mov bx, ax
        jmp .lc
.last:  call fat_alloc
        jc .full2
        mov dx, ax
        mov ax, bx
        call fat_set
        mov ax, dx
        call clus_zero
        pop bx
        pop ax
        jmp .l
.full2: pop bx
        pop ax
.full:  stc
        ret
