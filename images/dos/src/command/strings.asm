; ---------------------------------------------------------------- strings
upcase:                         ; al
        cmp al, 'a'
        jb .r
        cmp al, 'z'
        ja .r
        sub al, 20h
.r:     ret
skipsp:                         ; si past blanks
        cmp byte [si], ' '
        je .n
        cmp byte [si], 9
        jne .r
.n:     inc si
        jmp skipsp
.r:     ret
is_delim:                       ; ZF=1 if al ends a word
        cmp al, ' '
        je .r
        cmp al, 9
        je .r
        cmp al, 0
        je .r
        cmp al, 13
        je .r
        cmp al, ','
        je .r
        cmp al, ';'
        je .r
        cmp al, '='
.r:     ret
; getarg: copy the next blank-delimited word at si into di (asciiz),
; CF when there is none
getarg:
        call skipsp
        mov al, [si]
        call is_delim
        je .none
.l:     mov al, [si]
        call is_delim
        je .e
        mov [di], al
        inc si
        inc di
        jmp .l
.e:     mov byte [di], 0
        clc
        ret
.none:  mov byte [di], 0
        stc
        ret
strcpy:                         ; si -> di incl. 0, di at the 0
        lodsb
        mov [di], al
        test al, al
        jz .r
        inc di
        jmp strcpy
.r:     ret
strlen:                         ; si -> cx
        push si
        xor cx, cx
.l:     cmp byte [si], 0
        je .r
        inc si
        inc cx
        jmp .l
.r:     pop si
        ret
; trim trailing blanks of the asciiz at si
rtrim:  push si
        call strlen
        add si, cx
.l:     cmp si, [esp]
        je .r
        cmp byte [si-1], ' '
        je .c
        cmp byte [si-1], 9
        jne .r
.c:     dec si
        mov byte [si], 0
        jmp .l
.r:     pop si
        ret
