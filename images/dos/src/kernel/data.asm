; ---------------------------------------------------------------- data
banner  db 'LRDOS 1.0', 0Dh, 0Ah, 0
msg_nocmd db 'Bad or missing Command Interpreter', 0Dh, 0Ah, 0
comspec_tail db 0, 0Dh
serial_on db 1
boot_drv db 0           ; drive index we booted from
cur_drv db 0
cur_psp dw 0
dta     dd 0
user_sp dw 0
user_ss dw 0
last_err dw 0
ret_code dw 0
break_flag db 0
first_mcb dw 0
mem_top dw 0
alloc_strat dw 0
col     db 0
last_in db 0
verify  db 0
cache_next db 0
exec_op db 0
no_dta_reset db 0

; list of lists (INT 21h 52h): the word before it is the first MCB
lol_mcb dw 0
lol     times 40h db 0

; register frame copied from the caller's stack: ax bx cx dx si di bp ds es ip cs fl
regs:
r_ax    dw 0
r_bx    dw 0
r_cx    dw 0
r_dx    dw 0
r_si    dw 0
r_di    dw 0
r_bp    dw 0
r_ds    dw 0
r_es    dw 0
r_ip    dw 0
r_cs    dw 0
r_fl    dw 0

devnames db 'CON     AUX     PRN     NUL     COM1    LPT1    '
dev_ids  db 1, 2, 3, 4, 2, 3
