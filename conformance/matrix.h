/* The traceability matrix: for every catalog rule, its source, the fixtures that show it
 * holding and refused, its mutant and whether the suite kills it, and the model functions
 * that enforce it (`brcheck rules --matrix`). */
#ifndef BR_MATRIX_H
#define BR_MATRIX_H

#include "runner.h"

/* A use of a rule symbol (BR_RULE_<SYM>) in the model sources, by enclosing function; the
 * table is generated at build time by cmake/rule_trace.py and ends with a NULL function. */
typedef struct {
    br_rule rule;
    const char *function;
    const char *file; /* relative to the source tree */
    int line;         /* where the function begins */
} br_rule_site;
extern const br_rule_site br_rule_sites[];
extern const size_t br_rule_sites_count;

/* Every function defined in the model and runner sources (for the catalog's "enforced_by"
 * names); ends with a NULL name. */
typedef struct {
    const char *name;
    const char *file;
    int line;
} br_model_function;
extern const br_model_function br_model_functions[];
extern const size_t br_model_functions_count;

/* True when the rule id's family ("ZC" of "ZC-TIER") is one of 'only' ("ZC,CC"), or no
 * 'only'. */
bool br_rule_family_selected(const char *only, const char *id);

/* True when a family of 'only' ("ZC,CC") prefixes no rule of the model, or is empty; why
 * then names it and lists the families there are. */
bool br_rule_family_unknown(const char *only, char *why, size_t whylen);

typedef struct {
    /* Rule families to include ("ZC,CC"); NULL: all. Borrowed. */
    const char *only;
    /* Play the suite against each rule's mutant (in-process) to see whether it is killed. */
    bool run_mutants;
} br_matrix_options;

/* Loads the fixtures under 'paths' (files or folders) into 'run' (empty, owned by the
 * caller: br_run_free), and writes to 'err' one line per path that cannot be read (it is
 * not loaded) and per fixture that does not load, each starting with 'who' ("brcheck
 * rules"). Returns the number of such lines: 0 when every path was read and every fixture
 * loaded. */
size_t br_matrix_load(br_run *run, char *const paths[], size_t n_paths, const char *who, FILE *err);

/* Builds the matrix over the fixtures under 'paths' (files or folders). Returns a new JSON
 * object {"rules": [...], "vendors": {...}, "fixtures": n, "badFixtures": n}, each rule with
 * id, vendor, source, refuses, holding, refusing, mutant, killed, killedBy, noMutant,
 * enforcedBy [{function, file, line}], unresolved (catalog enforced_by names that name no
 * function) and problems (what it lacks); NULL on allocation failure. When a path cannot be
 * read, no mutant is played (each would read the paths again). */
json_t *br_matrix_build(char *const paths[], size_t n_paths, const br_matrix_options *opt);

/* Number of rules with a problem (each listed in its "problems"), plus bad fixtures. */
size_t br_matrix_problems(const json_t *matrix);

/* Writers over a built matrix (borrowed): one block per rule (text), the per-vendor summary
 * as a Markdown table (the README's), or the whole matrix as Markdown (reports/matrix.md). */
void br_matrix_print_text(const json_t *matrix, FILE *out);
void br_matrix_print_summary(const json_t *matrix, FILE *out);
void br_matrix_print_markdown(const json_t *matrix, FILE *out);
/* Prints each problem as "rule ID lacks ..." lines; returns the count. */
size_t br_matrix_print_problems(const json_t *matrix, FILE *out);

typedef enum {
    BR_MATRIX_TEXT,
    BR_MATRIX_JSON,
    BR_MATRIX_MARKDOWN,
    BR_MATRIX_SUMMARY
} br_matrix_format;

/* `brcheck rules --matrix`: loads the fixtures (br_matrix_load: a path that cannot be read
 * or a fixture that does not load is said on stderr, nothing is printed on stdout, and it
 * returns 2), builds the matrix and prints it to stdout in 'format'. With 'check', the text
 * format prints the problems and the verdict on stdout instead of the matrix; the other
 * formats print the matrix on stdout (one JSON document with BR_MATRIX_JSON) and the
 * problems and the verdict on stderr. Returns 0, 1 when 'check' finds problems, or 2. */
int br_matrix_command(char *const paths[], size_t n_paths, const br_matrix_options *opt,
                      br_matrix_format format, bool check);

#endif
