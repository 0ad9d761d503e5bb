; ---------------------------------------------------------------- disk I/O
; phys_io: si = drive, eax = volume LBA, cx = max sectors, es:bx = buffer,
;          [io_cmd] = 2 read / 3 write  ->  cx = sectors done, CF on error
io_cmd  db 2
dap     db 10h, 0
dap_n   dw 0
dap_buf dd 0
dap_lba dd 0, 0
phys_io:
        push eax
        push edx
        push di
        add eax, [si+D_HIDDEN]
        cmp byte [si+D_LBA], 0
        je .chs
        cmp cx, 127
        jbe .l1
        mov cx, 127
.l1:    mov [dap_n], cx
        mov [dap_buf], bx
        mov [dap_buf+2], es
        mov [dap_lba], eax
        mov di, 3
.lr:    push si
        mov ah, [io_cmd]
        add ah, 40h
        mov al, 0
        mov dl, [si+D_BIOS]
        mov si, dap
        int 13h
        pop si
        jnc .ok
        dec di
        jnz .lr
        jmp .err
.chs:   xor edx, edx
        push ecx
        movzx ecx, word [si+D_SPT]
        div ecx                 ; eax = track, dx = sector - 1
        pop ecx
        mov di, [si+D_SPT]
        sub di, dx              ; sectors left on this track
        cmp cx, di
        jbe .c1
        mov cx, di
.c1:    ; whole-track reads: a floppy track is read once into trkbuf and
        ; the sectors are copied from there
        cmp [trk_drv], si
        jne .miss
        cmp [trk_no], eax
        jne .miss
        cmp byte [io_cmd], 2
        je .fromcache
        ; a write to the cached track: write, then keep the buffer in step
        call chs_rw
        jc .err
        push si
        push cx
        push ds
        push es
        mov di, dx
        shl di, 9
        add di, trkbuf
        mov si, bx
        push es
        pop ds
        push cs
        pop es
        shl cx, 8
        rep movsw
        pop es
        pop ds
        pop cx
        pop si
        jmp .ok
.miss:  cmp byte [io_cmd], 2
        jne .direct
        cmp word [si+D_SPT], TRKMAX
        ja .direct
        push es
        push bx
        push cx
        push dx
        push cs
        pop es
        mov bx, trkbuf
        mov cx, [si+D_SPT]
        xor dx, dx
        call chs_rw
        pop dx
        pop cx
        pop bx
        pop es
        jc .direct
        mov [trk_drv], si
        mov [trk_no], eax
.fromcache:
        push si
        push cx
        mov si, dx
        shl si, 9
        add si, trkbuf
        mov di, bx
        shl cx, 8
        rep movsw
        pop cx
        pop si
        jmp short .ok
.direct:
        call chs_rw
        jc .err
.ok:    pop di
        pop edx
        pop eax
        clc
        ret
.err:   pop di
        pop edx
        pop eax
        stc
        ret

; chs_rw: eax = track, dx = sector - 1, cx = count, es:bx = buffer,
;         [io_cmd], si = drive -> CF on error (three tries, with resets)
trk_drv dw 0
trk_no  dd 0
chs_rw: pushad
        push cx
        mov cl, dl
        inc cl
        xor edx, edx
        movzx edi, word [si+D_HEADS]
        div edi                 ; eax = cylinder, dx = head
        mov ch, al
        shl ah, 6
        or cl, ah
        mov dh, dl
        mov dl, [si+D_BIOS]
        pop di
        mov bp, 3
.r:     mov ax, di
        mov ah, [io_cmd]
        int 13h
        jnc .ok
        xor ax, ax
        int 13h
        dec bp
        jnz .r
        popad
        stc
        ret
.ok:    popad
        clc
        ret

; disk_io: like phys_io but for any count, splitting at track and 64 KB
; DMA boundaries (one sector through the bounce buffer when needed).
drv_save dw 0
disk_io:
        pushad
        push es
        mov [drv_save], si
.lp:    test cx, cx
        jz .done
        mov dx, bx              ; normalize es:bx
        shr dx, 4
        mov di, es
        add di, dx
        mov es, di
        and bx, 15
        movzx edx, di
        shl edx, 4
        add dx, bx
        neg dx                  ; bytes to the next 64 KB boundary
        jz .full
        shr dx, 9
        jz .bounce
        jmp short .have
.full:  mov dx, 128
.have:  push cx
        cmp cx, dx
        jbe .c
        mov cx, dx
.c:     call phys_io
        jc .errp
        pop dx
        sub dx, cx
        movzx ecx, cx
        add eax, ecx
        shl cx, 9
        add bx, cx
        mov cx, dx
        jmp .lp
.bounce:
        push cx
        push es
        push bx
        cmp byte [io_cmd], 3
        jne .b1
        push ds
        push es
        pop ds
        mov si, bx
        push cs
        pop es
        mov di, bounce
        mov cx, 256
        rep movsw
        pop ds
.b1:    push cs
        pop es
        mov bx, bounce
        mov si, [drv_save]
        mov cx, 1
        call phys_io
        pop bx
        pop es
        jc .errp
        cmp byte [io_cmd], 2
        jne .b2
        mov di, bx
        mov si, bounce
        mov cx, 256
        rep movsw
.b2:    mov si, [drv_save]
        inc eax
        add bx, 512
        pop cx
        dec cx
        jmp .lp
.errp:  pop cx
        pop es
        popad
        stc
        ret
.done:  pop es
        popad
        clc
        ret

; sector cache: getsec si=drive eax=LBA -> di = buffer (in KSEG), CF error
; buffers are write-through: putsec writes a buffer back at once.
getsec:
        push bx
        push cx
        push es
        mov di, cache_hdr
        mov cx, NBUF
.f:     cmp [di], si
        jne .n
        cmp [di+2], eax
        je .hit
.n:     add di, 6
        loop .f
        ; miss: take the next buffer round robin
        movzx bx, byte [cache_next]
        inc byte [cache_next]
        cmp byte [cache_next], NBUF
        jb .m1
        mov byte [cache_next], 0
.m1:    mov di, bx
        imul di, 6
        add di, cache_hdr
        mov word [di], 0
        mov [di+2], eax
        push di
        imul bx, bx, 512
        add bx, cache_data
        push cs
        pop es
        mov byte [io_cmd], 2
        mov cx, 1
        call disk_io
        pop di
        jc .err
        mov [di], si
.hit:   sub di, cache_hdr
        mov ax, di
        xor dx, dx
        mov cx, 6
        div cx
        imul di, ax, 512
        add di, cache_data
        mov eax, [cache_lba_tmp]
        clc
.err:   pop es
        pop cx
        pop bx
        ret
cache_lba_tmp dd 0

getsec_e:                       ; getsec preserving eax, edx
        push edx
        mov [cache_lba_tmp], eax
        call getsec
        mov eax, [cache_lba_tmp]
        pop edx
        ret

; putsec: write buffer di (from getsec) back to drive si at LBA eax
putsec:
        pushad
        push es
        push cs
        pop es
        mov bx, di
        mov byte [io_cmd], 3
        mov cx, 1
        call disk_io
        pop es
        popad
        ret

; cache_forget: drop cached copies of sectors eax .. eax+cx-1 of drive si
cache_forget:
        push di
        push edx
        push ecx
        push bx
        movzx ecx, cx
        mov di, cache_hdr
        mov bx, NBUF
.l:     cmp [di], si
        jne .n
        mov edx, [di+2]
        sub edx, eax
        cmp edx, ecx
        jae .n
        mov word [di], 0
.n:     add di, 6
        dec bx
        jnz .l
        pop bx
        pop ecx
        pop edx
        pop di
        ret

; forget cached sectors of drive si (after direct writes / media change)
cache_flush_drv:
        push di
        push cx
        mov di, cache_hdr
        mov cx, NBUF
.l:     cmp [di], si
        jne .n
        mov word [di], 0
.n:     add di, 6
        loop .l
        pop cx
        pop di
        ret
