; BADEXE.EXE: an MZ header whose header size exceeds the file.
        db 'MZ'
        dw 16, 1, 0
        dw 100h                 ; e_cparhdr: 4 KB of header in a 32-byte file
        dw 0, 0FFFFh, 0, 100h, 0, 0, 0, 1Ch, 0
        times 32-($-$$) db 0
