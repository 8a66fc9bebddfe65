/* json_get — strict access to the values of a parsed (jansson) JSON
 * document, shared by the readers of the project's JSON formats (election:
 * rekap-election/1, form: rekap-chasil/1): a required member of one type,
 * an object with no member the format does not define, an integer within
 * bounds, an array of bounded length, each failure reported with the JSON
 * path of the value ("contests.dpr[3].lists[2].party", "votes[2]").
 *
 * What is wrong is decided here, once; how it is worded is each format's
 * (their codes and messages differ and are documented per format): a
 * reader gives a jget_report that turns a jget_fault into its own err_info.
 * The path is kept as the reader descends (jget_key, jget_index, undone by
 * jget_pop); an accessor appends the offending member's name and index
 * only when it reports, so a clean document formats no paths for them. */
#ifndef REKAP_JSON_GET_H
#define REKAP_JSON_GET_H

#include <stddef.h>

#include <jansson.h>

#include "core/err.h"

#define JGET_PATH_MAX sizeof(((err_info *)0)->where)

typedef enum jget_type {
    JGET_ANY,     /* any JSON value */
    JGET_OBJECT,
    JGET_ARRAY,
    JGET_STRING,
    JGET_INTEGER, /* a number without fraction or exponent */
    JGET_BOOLEAN,
} jget_type;

/* "an object", "an array", "a string", "an integer", "true or false". */
const char *jget_type_name(jget_type t);

typedef enum jget_fault_kind {
    JGET_UNKNOWN,  /* a member the format does not define: key */
    JGET_MISSING,  /* a required member is absent: key */
    JGET_TYPE,     /* a value of the wrong type: want */
    JGET_RANGE,    /* an integer outside lo..hi: value, lo, hi, code */
    JGET_TOO_LONG, /* an array of more than max elements: n, max */
} jget_fault_kind;

typedef struct jget_fault {
    jget_fault_kind kind;
    const char *key;         /* JGET_UNKNOWN, JGET_MISSING: the member's name */
    jget_type want;          /* JGET_TYPE */
    const char *code;        /* JGET_RANGE: the code the caller gave that bound */
    long long value, lo, hi; /* JGET_RANGE */
    size_t n, max;           /* JGET_TOO_LONG */
} jget_fault;

typedef struct jget jget;

/* Fill g->e for fault f of the value g->path names (the member's name and
 * index already appended) and return the ERR_* code. */
typedef int jget_report(const jget *g, const jget_fault *f);

struct jget {
    err_info *e;         /* where reports go; may be NULL (err_set ignores it) */
    jget_report *report; /* the format's wording */
    size_t cap;          /* bytes of path the format reports, NUL included */
    size_t n;            /* strlen(path) */
    char path[JGET_PATH_MAX];
};

/* An empty path (the document itself) of at most cap bytes
 * (<= JGET_PATH_MAX): a longer path is cut, not refused. */
void jget_init(jget *g, err_info *e, size_t cap, jget_report *report);

/* Append ".key" ("key" at the document), "[i]", or both (key NULL or
 * idx < 0 leave their part out). Each returns the length to give back to
 * jget_pop. */
size_t jget_key(jget *g, const char *key);
size_t jget_index(jget *g, size_t i);
size_t jget_at(jget *g, const char *key, long idx);
void jget_pop(jget *g, size_t old);

/* v, the value at the path, is an object whose member names are all in
 * allowed[0..n): a typo in a name must not pass as a missing optional
 * member. JGET_TYPE at the path, JGET_UNKNOWN at the first other name. */
int jget_object(jget *g, json_t *v, const char *const *allowed, size_t n);

/* v, the value at path.key[idx], is of type want (JGET_TYPE there). */
int jget_is(jget *g, json_t *v, const char *key, long idx, jget_type want);

/* *v = the member key of object o, which must be there (JGET_MISSING)
 * and of type want (JGET_ANY: of any). */
int jget_member(jget *g, json_t *o, const char *key, jget_type want, json_t **v);

/* v, the value at path.key[idx], is an integer (JGET_TYPE) in lo..hi
 * (JGET_RANGE carrying range_code) into *out. */
int jget_int(jget *g, json_t *v, const char *key, long idx, long long lo,
             long long hi, const char *range_code, long long *out);

/* The same for the required member key of o. */
int jget_int_member(jget *g, json_t *o, const char *key, long long lo, long long hi,
                    const char *range_code, long long *out);

/* *arr = the required member key of o, an array (JGET_TYPE) of at most
 * max elements (JGET_TOO_LONG). */
int jget_array(jget *g, json_t *o, const char *key, size_t max, json_t **arr);

#endif
