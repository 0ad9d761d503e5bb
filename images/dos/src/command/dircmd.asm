; DIR [pattern]
c_dir:  mov si, [args]
.arg:   mov di, tmp
        call getarg
        jc .none0
        cmp byte [tmp], '/'     ; switches (/W /P ...) are accepted and ignored
        je .arg
        jmp short .a
.none0: mov word [tmp], 0
.a:     ; pattern: add *.* to directories and drives
        mov si, tmp
        call strlen
        mov bx, cx
        test bx, bx
        jz .star
        mov al, [tmp+bx-1]
        cmp al, '\'
        je .star
        cmp al, ':'
        je .star
        ; a directory name?
        mov ax, 4300h
        mov dx, tmp
        int 21h
        jc .pat
        test cl, 10h
        jz .pat
        mov byte [tmp+bx], '\'
        inc bx
.star:  mov dword [tmp+bx], '*.*'
        jmp short .go
.pat:   ; a name without extension matches NAME.*
        call split_path
        mov si, [namepos]
.x:     lodsb
        test al, al
        jz .noext
        cmp al, '.'
        je .go
        jmp .x
.noext: mov word [si-1], '.*'
        mov byte [si+1], 0
.go:    call split_path
        ; drive letter
        mov ah, 19h
        int 21h
        cmp byte [tmp+1], ':'
        jne .d0
        mov al, [tmp]
        call upcase
        sub al, 'A'
.d0:    mov [dir_drv], al
        ; volume label
        mov si, msg_vol
        call puts
        mov al, [dir_drv]
        add al, 'A'
        call putc
        mov byte [fname], al
        mov word [fname+1], ':\'
        mov dword [fname+3], '*.*'
        mov ah, 4Eh
        mov cx, 8
        mov dx, fname
        int 21h
        jc .nolab
        test byte [dta+21], 8
        jz .nolab
        mov si, msg_is
        call puts
        mov si, dta+30
        ; labels have no dot
        mov di, fname
.lb:    lodsb
        cmp al, '.'
        je .lb
        mov [di], al
        inc di
        test al, al
        jnz .lb
        mov si, fname
        call puts
        call crlf
        jmp short .hdr
.nolab: mov si, msg_nolabel
        call puts
.hdr:   mov si, msg_dirof
        call puts
        ; the directory: drive + canonical path of the pattern's dir part
        mov bx, [namepos]
        mov al, [bx]
        mov byte [bx], 0
        push ax
        mov si, tmp
        mov di, fname
        call canon
        pop ax
        mov bx, [namepos]
        mov [bx], al
        mov si, fname
        call strlen
        mov bx, cx
        cmp bx, 3
        jbe .nt
        cmp byte [fname+bx-1], '\'
        jne .nt
        mov byte [fname+bx-1], 0
.nt:    call puts
        call crlf
        call crlf
        mov dword [dir_files], 0
        mov dword [dir_bytes], 0
        mov ah, 4Eh
        mov cx, 10h
        mov dx, tmp
        int 21h
        jc .none
.e:     call dir_line
        mov ah, 4Fh
        int 21h
        jnc .e
.sum:   mov eax, [dir_files]
        mov cx, 9
        call putnum
        mov si, msg_files
        call puts
        mov eax, [dir_bytes]
        mov cx, 14
        call putnum
        mov si, msg_bytes
        call puts
        mov ah, 36h
        mov dl, [dir_drv]
        inc dl
        int 21h
        cmp ax, 0FFFFh
        je .r
        mul cx                  ; bytes per cluster
        movzx eax, ax
        movzx ebx, bx
        imul eax, ebx
        mov cx, 29
        call putnum
        mov si, msg_free
        call puts
.r:     ret
.none:  mov si, msg_fnf
        call puts
        jmp .sum
dir_drv db 0
dir_files dd 0
dir_bytes dd 0

; one DIR line from the DTA: NAME     EXT      size mm-dd-yy  hh:mm
dir_line:
        mov si, dta+30
        xor cx, cx
        cmp byte [si], '.'
        je .dots
.n:     lodsb
        test al, al
        jz .pe
        cmp al, '.'
        je .ext
        call putc
        inc cx
        jmp .n
.dots:  call puts
        call strlen
        add si, cx
        jmp short .pe
.ext:   call .pad8
        mov al, ' '
        call putc
        xor cx, cx
.x:     lodsb
        test al, al
        jz .pe3
        call putc
        inc cx
        jmp .x
.pe:    call .pad8
        mov al, ' '
        call putc
        xor cx, cx
.pe3:   cmp cx, 3
        jae .sz
        mov al, ' '
        call putc
        inc cx
        jmp .pe3
.sz:    test byte [dta+21], 10h
        jz .file
        mov si, msg_dirtag
        mov al, ' '
        call putc
        mov al, ' '
        call putc
        call puts
        jmp short .dt
.file:  mov eax, [dta+26]
        add [dir_bytes], eax
        mov cx, 14
        call putnum
        mov al, ' '
        call putc
.dt:    inc dword [dir_files]
        mov ax, [dta+24]        ; date
        push ax
        shr ax, 5
        and al, 15
        call put2
        mov al, '-'
        call putc
        pop ax
        push ax
        and al, 31
        call put2
        mov al, '-'
        call putc
        pop ax
        shr ax, 9
        add ax, 80
        mov bl, 100
        div bl
        mov al, ah
        call put2
        mov al, ' '
        call putc
        call putc
        mov ax, [dta+22]        ; time
        push ax
        shr ax, 11
        movzx eax, al
        mov cx, 2
        call putnum
        mov al, ':'
        call putc
        pop ax
        shr ax, 5
        and al, 63
        call put2
        jmp crlf
.pad8:  cmp cx, 8
        jae .p8
        mov al, ' '
        call putc
        inc cx
        jmp .pad8
.p8:    ret
