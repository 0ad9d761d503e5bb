; ---------------------------------------------------------------- FAT
; fat_byte: eax = byte offset in FAT -> di = pointer, eax = FAT sector LBA
fat_ptr:
        push ecx
        mov ecx, eax
        shr eax, 9
        movzx edx, word [si+D_RSVD]
        add eax, edx
        call getsec_e
        jc .e
        and cx, 511
        add di, cx
.e:     pop ecx
        ret

; write the FAT sector in buffer (di & ~511 .. ) at eax to every FAT copy
fat_put:
        pushad
        sub di, cache_data
        and di, 0FE00h
        add di, cache_data
        movzx cx, byte [si+D_NFATS]
        movzx edx, word [si+D_FATSZ]
.l:     call putsec
        jc .e
        add eax, edx
        loop .l
        popad
        clc
        ret
.e:     popad
        stc
        ret

; fat_get: si = drive, ax = cluster -> ax = next (FFFFh for end of chain)
fat_get:
        push edx
        push di
        push eax
        movzx eax, ax
        cmp byte [si+D_FAT16], 0
        jne .f16
        mov edx, eax
        shr edx, 1
        add eax, edx
        push eax
        call fat_ptr
        mov dl, [di]
        pop eax
        jc .err
        inc eax
        push dx
        call fat_ptr
        pop dx
        jc .err
        mov dh, [di]
        pop eax
        test al, 1
        jz .ev
        shr dx, 4
.ev:    and dx, 0FFFh
        cmp dx, 0FF7h
        jb .r
        mov dx, 0FFFFh
        jmp short .r
.f16:   shl eax, 1
        call fat_ptr
        jc .err
        mov dx, [di]
        pop eax
        cmp dx, 0FFF7h
        jb .r
        mov dx, 0FFFFh
.r:     mov ax, dx
        pop di
        pop edx
        clc
        ret
.err:   pop eax
        pop di
        pop edx
        mov ax, 0FFFFh
        stc
        ret

; fat_set: si = drive, ax = cluster, dx = value
fat_set:
        pushad
        movzx eax, ax
        cmp byte [si+D_FAT16], 0
        jne .f16
        mov bx, ax              ; cluster parity
        mov ecx, eax
        shr ecx, 1
        add eax, ecx
        and dx, 0FFFh
        mov cx, ax
        and cx, 511
        cmp cx, 511
        je .split
        ; both bytes in one sector: one write per FAT copy
        push dx
        call fat_ptr
        pop dx
        jc .e
        test bl, 1
        jz .ev
        shl dx, 4
        and byte [di], 0Fh
        or [di], dl
        mov [di+1], dh
        jmp short .w
.ev:    mov [di], dl
        and byte [di+1], 0F0h
        or [di+1], dh
.w:     call fat_put
        popad
        clc
        ret
.split: push eax
        push dx
        call fat_ptr
        pop dx
        jc .e1
        test bl, 1
        jz .ev0
        mov cl, dl
        shl cl, 4
        and byte [di], 0Fh
        or [di], cl
        jmp short .w0
.ev0:   mov [di], dl
.w0:    call fat_put
        pop eax
        inc eax
        push dx
        call fat_ptr
        pop dx
        jc .e
        test bl, 1
        jz .ev1
        shr dx, 4
        mov [di], dl
        jmp short .w1
.ev1:   and byte [di], 0F0h
        or [di], dh
.w1:    call fat_put
        popad
        clc
        ret
.f16:   shl eax, 1
        push dx
        call fat_ptr
        pop dx
        jc .e
        mov [di], dx
        call fat_put
        popad
        clc
        ret
.e1:    pop eax
.e:     popad
        stc
        ret

; clus_lba: ax = cluster -> eax = first sector
clus_lba:
        push edx
        movzx eax, ax
        sub eax, 2
        movzx edx, byte [si+D_SPC]
        imul eax, edx
        add eax, [si+D_DATA]
        pop edx
        ret

; fat_alloc: si = drive -> ax = new cluster marked end-of-chain, CF if full
fat_alloc:
        push bx
        push cx
        push dx
        mov bx, [si+D_HINT]     ; continue after the last allocation
        cmp bx, 2
        jb .h2
        cmp bx, [si+D_MAXCL]
        jbe .st
.h2:    mov bx, 2
.st:    mov cx, [si+D_MAXCL]
        dec cx
.l:     mov ax, bx
        call fat_get
        jc .full
        test ax, ax
        jz .got
        inc bx
        cmp bx, [si+D_MAXCL]
        jbe .n
        mov bx, 2
.n:     loop .l
.full:  pop dx
        pop cx
        pop bx
        stc
        ret
.got:   mov ax, bx
        mov dx, 0FFFFh
        call fat_set
        lea dx, [bx+1]
        mov [si+D_HINT], dx
        pop dx
        pop cx
        pop bx
        ret

; fat_free_chain: si = drive, ax = first cluster
fat_free_chain:
        push ax
        push bx
        push dx
.l:     cmp ax, 2
        jb .d
        cmp ax, 0FFF7h
        jae .d
        mov bx, ax
        call fat_get
        xchg ax, bx
        xor dx, dx
        call fat_set
        mov ax, bx
        jmp .l
.d:     pop dx
        pop bx
        pop ax
        ret

; zero a cluster (new directory clusters)
clus_zero:
        pushad
        call clus_lba
        movzx cx, byte [si+D_SPC]
.l:     call getsec_e
        jc .e
        push cx
        push di
        push es
        push cs
        pop es
        mov cx, 256
        push ax
        xor ax, ax
        rep stosw
        pop ax
        pop es
        pop di
        pop cx
        call putsec
        inc eax
        loop .l
.e:     popad
        ret
