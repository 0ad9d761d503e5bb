; ---------------------------------------------------------------- data
msg_bad     db 'Bad command or file name', 13, 10, 0
msg_fnf     db 'File not found', 13, 10, 0
msg_pnf     db 'Path not found', 13, 10, 0
msg_drv     db 'Invalid drive specification', 13, 10, 0
msg_dir     db 'Invalid directory', 13, 10, 0
msg_md      db 'Unable to create directory', 13, 10, 0
msg_rd      db 'Invalid path, not directory,', 13, 10, 'or directory not empty', 13, 10, 0
msg_acc     db 'Access denied', 13, 10, 0
msg_full    db 'Insufficient disk space', 13, 10, 0
msg_label   db 'Label not found', 13, 10, 0
msg_syntax  db 'Syntax error', 13, 10, 0
msg_envfull db 'Out of environment space', 13, 10, 0
msg_bmiss   db 'Batch file missing', 13, 10, 0
msg_parm    db 'Required parameter missing', 13, 10, 0
msg_mem     db 'Program too big to fit in memory', 13, 10, 0
msg_exe     db 'Error in EXE file', 13, 10, 0
msg_long    db 'Command line too long (DOS passes at most 126 characters to a program)', 13, 10, 0
msg_self    db 'File cannot be copied onto itself', 13, 10, 0
msg_copied  db ' file(s) copied', 13, 10, 0
msg_pause   db 'Press any key to continue . . .', 0
msg_echo    db 'ECHO is ', 0
msg_on      db 'on', 13, 10, 0
msg_off     db 'off', 13, 10, 0
msg_nopath  db 'No Path', 13, 10, 0
msg_ver     db 13, 10, 'LRDOS Version 1.0', 13, 10, 13, 10, 0
msg_vol     db ' Volume in drive ', 0
msg_nolabel db ' has no label', 13, 10, 0
msg_is      db ' is ', 0
msg_dirof   db ' Directory of ', 0
msg_files   db ' file(s) ', 0
msg_bytes   db ' bytes', 13, 10, 0
msg_free    db ' bytes free', 13, 10, 0
msg_dirtag  db '<DIR>     ', 0
msg_curdate db 'Current date is ', 0
msg_curtime db 'Current time is ', 0
msg_ioerr   db 'General failure', 13, 10, 0
msg_fcreate db 'File creation error', 13, 10, 0
msg_callfull db 'CALL nesting too deep', 13, 10, 0
autoexec    db '\AUTOEXEC.BAT', 0
s_path      db 'PATH', 0
s_starstar  db '*.*', 0
ext_list    db '.COM', 0, '.EXE', 0, '.BAT', 0, 0
days        db 'SunMonTueWedThuFriSat'

primary     db 0
echo_on     db 1
in_batch    db 0
errlevel    db 0
bat_pos     dd 0
bat_name    times 80 db 0
bat_args    times 130 db 0          ; the line that started the batch
save_sp     dw 0
