/*  cli_options: the one option parser of every journey command.

    A command declares its options in a table (name, whether and what value each takes, a
    number's range); cli_options_parse walks the words once and, on a mistake, prints one
    message naming the option ("journey: push: --batch must be a whole number from 1 to 10000,
    got "0"") and returns CLI_USAGE. The same rules hold everywhere:

    - options may come before, between or after the operands; "--name value" and "--name=value"
      are the same; an option given twice keeps its last value, unless it is a list;
    - "--" ends the options; "-" and "-5" are operands (stdin, a negative number);
    - --help and -h ask for the command's help (CLI_HELP), wherever they come.
*/
#ifndef JOURNEY_CLI_OPTIONS_H_INCLUDED
#define JOURNEY_CLI_OPTIONS_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  Returned for --help or -h: print the command's help on stdout and exit 0.
#define CLI_HELP -1

#define CLI_OPTIONS_MAX 16 //  options in one table
#define CLI_ARGS_MAX    8  //  operands kept
#define CLI_REPEAT_MAX  16 //  values of one list option

typedef enum {
    CLI_OPTION_FLAG,   //  takes no value
    CLI_OPTION_TEXT,   //  any value, "" included
    CLI_OPTION_NAME,   //  a value that is not empty
    CLI_OPTION_NUMBER, //  a whole number in min..max (digits only)
    CLI_OPTION_LIST    //  a value, and each time it is given another one (up to 16)
} cli_option_type_t;

typedef struct {
    const char *name; //  "--batch"; NULL ends the table
    cli_option_type_t type;
    const char *value; //  what the value is, for "--batch needs a number" (NULL: "a value")
    uint64_t min, max; //  a NUMBER's range
    const char *alias; //  a short form ("-f"), or NULL
} cli_option_t;

typedef struct {
    bool given;
    const char *text;                  //  the (last) value as typed; NULL for a flag
    uint64_t number;                   //  a NUMBER's value
    const char *texts[CLI_REPEAT_MAX]; //  a LIST's values, in order
    size_t count;                      //  how many times it was given
} cli_value_t;

typedef struct {
    const char *command;         //  starts every message ("push", "dispute raise"); "" for none
    const cli_option_t *options; //  the table, ended by {NULL}
    size_t max_args;             //  operands accepted (more: "unexpected argument")
    bool stop_at_operand;        //  the first operand ends the options (journey's own options)
} cli_options_t;

typedef struct {
    cli_value_t values[CLI_OPTIONS_MAX]; //  by the option's index in the table
    const char *args[CLI_ARGS_MAX];      //  the operands, in order
    size_t nargs;
    int rest;        //  with stop_at_operand: argv's index of the first operand (argc: none)
    char error[512]; //  the message printed with CLI_USAGE (without "journey: ")
} cli_parsed_t;

//  Parse argv[first..argc). CLI_OK, CLI_HELP, or CLI_USAGE after printing the message on stderr.
int cli_options_parse (const cli_options_t *spec, int argc, char **argv, int first,
                       cli_parsed_t *parsed);
//  cli_options_parse, then the command's usage text: on stdout for --help (exit 0), on stderr
//  after a mistake (exit 2). true when the command goes on; else *exit_code is its exit status.
bool cli_options_read (const cli_options_t *spec, int argc, char **argv, int first,
                       const char *usage, cli_parsed_t *parsed, int *exit_code);

#endif
