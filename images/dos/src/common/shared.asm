; Routines that LRDOS.SYS and COMMAND.COM both assemble (each binary gets its own copy).

; copy_far: asciiz es:di -> ds:si, at most cx bytes before the 0 (a longer string is cut
; there and ended with a 0); si and di are left on the 0
copy_far:
        mov al, [es:di]
        mov [si], al
        test al, al
        jz .r
        inc di
        inc si
        loop copy_far
        mov byte [si], 0
.r:     ret
