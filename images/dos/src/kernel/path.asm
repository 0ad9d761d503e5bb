; ---------------------------------------------------------------- paths
fcbname times 11 db ' '
pathbuf times 128 db 0
comp    times 13 db 0
res_drv dw 0            ; drive pointer
res_dir dw 0            ; cluster of the directory holding the last part
res_drvi db 0           ; drive index
res_abs db 0
newcwd  times 68 db 0

drv_ptr:                        ; al = drive index -> si, CF if invalid
        cmp al, MAXDRV
        jae .bad
        movzx si, al
        imul si, D_SIZE
        add si, drives
        cmp byte [si+D_VALID], 0
        je .bad
        clc
        ret
.bad:   stc
        ret

; to_fcb: ds:si = name component (ends at 0, '\', '/') -> fcbname
;   returns si after the component; CF if the name is invalid
to_fcb:
        push di
        push cx
        mov di, fcbname
        mov cx, 11
        push di
.b:     mov byte [di], ' '
        inc di
        loop .b
        pop di
        cmp byte [si], '.'
        jne .nm
        mov byte [di], '.'
        inc si
        cmp byte [si], '.'
        jne .dn
        mov byte [di+1], '.'
        inc si
        jmp short .dn
.nm:    mov cx, 8
        call .part
        cmp byte [si], '.'
        jne .dn
        inc si
        mov di, fcbname+8
        mov cx, 3
        call .part
.dn:    mov al, [si]
        test al, al
        jz .ok
        cmp al, '\'
        je .ok
        cmp al, '/'
        je .ok
        pop cx
        pop di
        stc
        ret
.ok:    pop cx
        pop di
        clc
        ret
.part:  mov al, [si]
        test al, al
        jz .pe
        cmp al, '.'
        je .pe
        cmp al, '\'
        je .pe
        cmp al, '/'
        je .pe
        cmp al, ' '
        jbe .bad
        inc si
        cmp al, '*'
        je .star
        cmp al, 'a'
        jb .st
        cmp al, 'z'
        ja .st
        sub al, 20h
.st:    jcxz .part              ; names longer than 8.3 are truncated, as DOS does
        mov [di], al
        inc di
        dec cx
        jmp .part
.star:  jcxz .part
        mov byte [di], '?'
        inc di
        loop .star
        jmp .part
.bad:   ; control characters end the name (e.g. CR)
.pe:    ret

; resolve: es:di = user path (asciiz) -> res_drv/res_dir/fcbname
;   with the last component in fcbname; CF with ax = 3 / 15
resolve:
        push bx
        push cx
        push dx
        ; copy into pathbuf
        push di
        mov si, pathbuf
        mov cx, 127
        call copy_far
        pop di
        ; strip trailing spaces
        mov si, pathbuf
        mov al, [cur_drv]
        cmp byte [si+1], ':'
        jne .nodrv
        mov al, [si]
        or al, 20h
        sub al, 'a'
        add si, 2
.nodrv: mov [res_drvi], al
        push si
        call drv_ptr
        mov [res_drv], si
        pop bx
        jc .baddrv
        mov si, [res_drv]
        ; new cwd path build (for CD), starting point
        mov di, newcwd
        mov ax, [si+D_CWDCL]
        mov byte [res_abs], 0
        cmp byte [bx], '\'
        je .root
        cmp byte [bx], '/'
        jne .rel
.root:  inc bx
        xor ax, ax
        mov byte [res_abs], 1
        mov byte [di], 0
        jmp short .walk
.rel:   push ax
        push si
        lea si, [si+D_CWD]
.cc:    lodsb
        mov [di], al
        inc di
        test al, al
        jnz .cc
        dec di
        pop si
        pop ax
.walk:  ; ax = current dir cluster, bx = rest of the path
        mov [res_dir], ax
        push si
        mov si, bx
        call to_fcb
        mov bx, si
        pop si
        jc .badp
        cmp byte [bx], 0
        je .last
        ; more components follow: this one must be a directory
        inc bx
        cmp byte [fcbname], ' '
        je .walk                ; empty component ("A:\\X" or trailing)
        call lookup_dir
        jc .badp
        jmp .walk
.last:  pop dx
        pop cx
        pop bx
        clc
        ret
.baddrv:
        mov ax, 15
        jmp short .ret
.badp:  mov ax, 3
.ret:   pop dx
        pop cx
        pop bx
        stc
        ret

; lookup_dir: fcbname names a directory inside res_dir -> ax = its cluster,
; appends to newcwd
lookup_dir:
        mov ax, [res_dir]
        cmp word [fcbname], '. '
        je .dot
        cmp word [fcbname], '..'
        jne .find
        test ax, ax
        jz .bad
        ; strip the last component of newcwd
        push di
.bk:    cmp di, newcwd
        je .bkd
        dec di
        cmp byte [di], '\'
        jne .bk
.bkd:   mov byte [di], 0
        mov ax, di
        pop di
        mov di, ax
        mov ax, [res_dir]
.find:  push di
        push bx
        mov dl, 08h
        call dir_find
        jc .nf
        test byte [di+11], 10h
        jz .nf
        mov ax, [di+26]
        pop bx
        pop di
        cmp word [fcbname], '..'
        je .ok
        ; append "\NAME.EXT" to newcwd
        cmp di, newcwd
        je .noslash
        mov byte [di], '\'
        inc di
.noslash:
        push ax
        push si
        mov si, fcbname
        call fcb_to_name
        pop si
        pop ax
        mov byte [di], 0
.ok:    clc
        ret
.dot:   clc
        ret
.nf:    pop bx
        pop di
.bad:   stc
        ret

; fcb_to_name: ds:si = 11-byte name -> es:di "NAME.EXT" (di advanced, no 0)
fcb_to_name:
        push es
        push cs
        pop es
        call fcb_name_es
        pop es
        ret

has_wild:                       ; ZF=0 if fcbname holds '?'
        push di
        push cx
        push es
        push cs
        pop es
        mov di, fcbname
        mov cx, 11
        mov al, '?'
        repne scasb
        pop es
        pop cx
        pop di
        ret                     ; ZF=1 found

; resolve_file: es:di path -> si drive, di entry (or CF ax=2/3), bx index
resolve_find:
        call resolve
        jc .r
        call has_wild
        je .nf
        cmp byte [fcbname], ' '
        je .nf
        mov ax, [res_dir]
        mov dl, 08h
        call dir_find
        jnc .r
.nf:    mov ax, 2
        stc
.r:     ret
