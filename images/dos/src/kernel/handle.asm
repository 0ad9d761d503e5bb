; ---------------------------------------------------------------- handles
; jft: bx = handle -> es:di = JFT slot, CF if bad handle
jft_slot:
        push ax
        mov es, [cur_psp]
        cmp bx, [es:32h]
        jae .bad
        les di, [es:34h]
        add di, bx
        pop ax
        clc
        ret
.bad:   pop ax
        stc
        ret

; hsft: bx = handle -> bx = SFT entry pointer, CF ax=6
hsft:
        push es
        push di
        call jft_slot
        jc .bad
        movzx bx, byte [es:di]
        cmp bl, NSFT
        jae .bad
        imul bx, F_SSIZE
        add bx, sft
        cmp byte [bx+F_REF], 0
        je .bad
        pop di
        pop es
        clc
        ret
.bad:   pop di
        pop es
        mov ax, 6
        stc
        ret

; sft_new -> bx = free SFT entry (zeroed, ref 1), CF ax=4
sft_new:
        mov bx, sft
        mov cx, NSFT
.l:     cmp byte [bx+F_REF], 0
        je .f
        add bx, F_SSIZE
        loop .l
        mov ax, 4
        stc
        ret
.f:     push di
        push es
        push cs
        pop es
        mov di, bx
        mov cx, F_SSIZE
        xor al, al
        rep stosb
        pop es
        pop di
        mov byte [bx+F_REF], 1
        mov word [bx+F_CURIX], 0FFFFh
        clc
        ret

; jft_new: bx = SFT entry -> ax = new handle in the current PSP, CF ax=4
jft_new:
        push cx
        push di
        push es
        mov es, [cur_psp]
        mov cx, [es:32h]
        les di, [es:34h]
        xor ax, ax
.l:     cmp byte [es:di], 0FFh
        je .f
        inc di
        inc ax
        loop .l
        pop es
        pop di
        pop cx
        mov ax, 4
        stc
        ret
.f:     push ax
        mov ax, bx
        sub ax, sft
        mov cl, F_SSIZE
        div cl
        mov [es:di], al
        pop ax
        pop es
        pop di
        pop cx
        clc
        ret

; dev_check: fcbname names a device? -> al = device id, ZF=1 when it does
dev_check:
        push si
        push di
        push cx
        push es
        push cs
        pop es
        mov si, devnames
        mov dx, dev_ids
.l:     cmp si, dev_ids-8+8
        jae .no
        mov di, fcbname
        mov cx, 8
        push si
        repe cmpsb
        pop si
        je .yes
        add si, 8
        inc dx
        jmp .l
.yes:   mov bx, dx
        mov al, [bx]
        cmp al, al
        jmp short .r
.no:    or al, 1
.r:     pop es
        pop cx
        pop di
        pop si
        ret

; open_common: es:di path, al = mode -> bx = SFT (ref 1), CF ax=error
open_sft:
        mov [open_mode], al
        call resolve
        jc .r
        call has_wild
        je .nf
        call dev_check
        jne .file
        push ax
        call sft_new
        pop dx
        jc .r
        mov byte [bx+F_DRV], 0FFh
        mov [bx+F_DEV], dl
        mov al, [open_mode]
        mov [bx+F_MODE], al
        clc
.r:     ret
.nf:    mov ax, 2
        stc
        ret
.file:  cmp byte [fcbname], ' '
        je .nf
        mov ax, [res_dir]
        mov dl, 18h
        call dir_find
        jnc .found
        ; a directory name gives "access denied"
        mov ax, [res_dir]
        mov dl, 08h
        call dir_find
        jc .nf
        mov ax, 5
        stc
        ret
.found: test byte [di+11], 1
        jz .rw
        test byte [open_mode], 3
        jz .rw
        mov ax, 5
        stc
        ret
.rw:    push di
        call sft_new
        pop di
        jc .r
sft_fill:                       ; fill bx from directory entry di
        mov al, [res_drvi]
        mov [bx+F_DRV], al
        mov al, [open_mode]
        mov [bx+F_MODE], al
        mov al, [di+11]
        mov [bx+F_ATTR], al
        mov ax, [di+26]
        mov [bx+F_CLUS], ax
        mov eax, [di+28]
        mov [bx+F_SIZE], eax
        mov ax, [di+22]
        mov [bx+F_TIME], ax
        mov ax, [di+24]
        mov [bx+F_DATE], ax
        mov eax, [ent_lba]
        mov [bx+F_DIRLBA], eax
        mov ax, [ent_off]
        mov [bx+F_DIROFF], ax
        clc
        ret
open_mode db 0

; 3Dh open file
f_3d:   call get_dsdx
        call open_sft
        jc handle_for.r
handle_for:                     ; give SFT bx a handle in the current JFT
        call jft_new
        jc .fail
        mov [r_ax], ax
        clc
.r:     ret
.fail:  mov byte [bx+F_REF], 0
        stc
        ret

; create: es:di path, cx attr, al=1 fail if exists -> bx SFT
create_sft:
        mov [cr_excl], al
        mov [cr_attr], cl
        mov byte [open_mode], 2
        call resolve
        jc .r
        call has_wild
        je .nf3
        cmp byte [fcbname], ' '
        je .nf3
        call dev_check
        je .dev
        mov ax, [res_dir]
        mov dl, 08h
        call dir_find
        jc .new
        cmp byte [cr_excl], 0
        jne .exists
        test byte [di+11], 19h
        jnz .acc
        ; truncate the existing file
        mov ax, [di+26]
        push si
        push di
        call fat_free_chain
        pop di
        pop si
        call ent_get
        mov word [di+26], 0
        mov dword [di+28], 0
        mov al, [cr_attr]
        and al, 27h
        mov [di+11], al
        jmp short .stamp
.new:   mov ax, [res_dir]
        call dir_free_slot
        jc .acc
        mov eax, [ent_lba]
        mov [ent_lba], eax
        call name_to_ent
        mov al, [cr_attr]
        and al, 27h
        mov [di+11], al
        mov dword [di+12], 0
        mov dword [di+16], 0
        mov word [di+20], 0
        mov word [di+26], 0
        mov dword [di+28], 0
.stamp: push di
        call fat_stamp
        pop di
        mov [di+22], ax
        mov [di+24], dx
        call ent_put
        jc .io
        push di
        call sft_new
        pop di
        jc .r
        jmp sft_fill
.dev:   push ax
        call sft_new
        pop dx
        jc .r
        mov byte [bx+F_DRV], 0FFh
        mov [bx+F_DEV], dl
        mov byte [bx+F_MODE], 2
        clc
.r:     ret
.nf3:   mov ax, 3
        stc
        ret
.acc:   mov ax, 5
        stc
        ret
.io:    mov ax, 1Dh
        stc
        ret
.exists: mov ax, 50h
        stc
        ret
cr_excl db 0
cr_attr db 0

; 3Ch create file
f_3c:   call get_dsdx
        mov al, 0
        call create_sft
        jc handle_for.r
        jmp handle_for
; 5Bh create new file
f_5b:   call get_dsdx
        mov al, 1
        call create_sft
        jc handle_for.r
        jmp handle_for

; close SFT bx (one reference)
sft_close:
        dec byte [bx+F_REF]
        jnz .r
        cmp byte [bx+F_DRV], 0FFh
        je .r
        test byte [bx+F_DIRTY], 1
        jz .r
        mov al, [bx+F_DRV]
        call drv_ptr
        jc .r
        mov eax, [bx+F_DIRLBA]
        mov [ent_lba], eax
        mov ax, [bx+F_DIROFF]
        mov [ent_off], ax
        call ent_get
        jc .r
        mov ax, [bx+F_CLUS]
        mov [di+26], ax
        mov eax, [bx+F_SIZE]
        mov [di+28], eax
        mov ax, [bx+F_TIME]
        mov [di+22], ax
        mov ax, [bx+F_DATE]
        mov [di+24], ax
        or byte [di+11], 20h    ; archive
        call ent_put
.r:     clc
        ret

; 3Eh close file
f_3e:   call hsft
        jc .r
        call sft_close
        mov bx, [r_bx]
        call jft_slot
        mov byte [es:di], 0FFh
        clc
.r:     ret

; 45h duplicate handle
f_45:   call hsft
        jc .r
        inc byte [bx+F_REF]
        call jft_new
        jc .f
        mov [r_ax], ax
        clc
.r:     ret
.f:     dec byte [bx+F_REF]
        stc
        ret
; 46h force duplicate handle
f_46:   call hsft
        jc .r
        push bx
        mov bx, cx
        call jft_slot
        pop bx
        jc .bad
        cmp byte [es:di], 0FFh
        je .nc
        push bx
        push di
        push es
        mov bx, cx
        call hsft
        jc .nc0
        call sft_close
.nc0:   pop es
        pop di
        pop bx
.nc:    inc byte [bx+F_REF]
        mov ax, bx
        sub ax, sft
        mov cl, F_SSIZE
        div cl
        mov [es:di], al
        clc
.r:     ret
.bad:   mov ax, 6
        stc
        ret
