/* The subcommands of the brcheck CLI that live in their own files (cli/cmd_*.c); each takes
 * the arguments after its name and returns the process exit status. */
#ifndef BR_COMMANDS_H
#define BR_COMMANDS_H

int br_cmd_serve(int argc, char **argv);
int br_cmd_fuzz(int argc, char **argv);
int br_cmd_mutate(int argc, char **argv);
int br_cmd_record(int argc, char **argv);

#endif
