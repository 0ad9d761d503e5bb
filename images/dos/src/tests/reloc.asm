; RELOC.EXE: an MZ program with one relocation; run by APIEXEC.
        bits 16
file_size equ 32 + 300h        ; header + image (padded below)
        section hdr start=0
        db 'MZ'
        dw file_size % 512
        dw (file_size + 511) / 512
        dw 1                    ; e_crlc
        dw 2                    ; e_cparhdr: 32 bytes
        dw 0                    ; e_minalloc
        dw 0FFFFh               ; e_maxalloc
        dw 0                    ; e_ss
        dw stack_top            ; e_sp
        dw 0
        dw entry                ; e_ip
        dw 0                    ; e_cs
        dw 1Ch                  ; e_lfarlc
        dw 0
        dw fixup, 0             ; the relocation
        times 32-($-$$) db 0
        section img follows=hdr vstart=0
entry:  mov ax, 0               ; the immediate is relocated to the load segment
fixup   equ $-2
        mov bx, cs
        push ax
        mov ax, ds
        add ax, 10h
        mov dx, ax              ; PSP + 10h
        pop ax
        push cs
        pop ds
        cmp ax, bx
        mov dx, m_fail1
        jne .p1
        mov dx, m_pass1
.p1:    mov ah, 9
        int 21h
        mov ax, ss
        cmp ax, bx
        mov dx, m_fail2
        jne .p2
        mov dx, m_pass2
.p2:    mov ah, 9
        int 21h
        mov ax, 4C07h
        int 21h
m_pass1 db 'PASS exe: relocation applied', 13, 10, '$'
m_fail1 db 'FAIL exe: relocation applied', 13, 10, '$'
m_pass2 db 'PASS exe: SS from the header', 13, 10, '$'
m_fail2 db 'FAIL exe: SS from the header', 13, 10, '$'
        times 300h-($-$$) db 0
stack_top:
