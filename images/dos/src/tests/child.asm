; Run by APIEXEC: checks its command tail, exits with code 42.
%include "testlib.inc"
        cmp byte [80h], 6
        CHECK e, 'child: tail length'
        cmp dword [82h], 'HELL'
        CHECK e, 'child: tail text'
        mov ax, [16h]
        mov bx, cs
        cmp ax, bx
        CHECK ne, 'child: PSP:16h holds the parent PSP'
        EXIT 42
