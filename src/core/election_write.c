/* election_write — election_write: the canonical rekap-election/1
 * document (docs/FORMATS.md, "Reading and writing"), byte for byte the
 * same however often a definition is read and written again: members in
 * the documented order, one party, district or desa per line, no other
 * whitespace. */
#include <stdio.h>
#include <stdlib.h>

#include "core/election_internal.h"

static void write_text(FILE *f, const char *s)
{
    putc('"', f);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\') {
            putc('\\', f);
            putc(*c, f);
        } else if (*c < 0x20) {
            fprintf(f, "\\u%04x", *c);
        } else {
            putc(*c, f);
        }
    }
    putc('"', f);
}

/* Element separators: one element per line inside the big arrays. */
static void write_sep(FILE *f, size_t i)
{
    fputs(i ? ",\n" : "\n", f);
}

static void write_close(FILE *f, size_t n, char c)
{
    if (n)
        putc('\n', f);
    putc(c, f);
}

static void write_candidates(FILE *f, const election_candidate *c, size_t n)
{
    fputs("\"candidates\":[", f);
    for (size_t j = 0; j < n; j++) {
        fprintf(f, "%s{\"no\":%u,\"name\":", j ? "," : "", c[j].no);
        write_text(f, c[j].name);
        if (c[j].sex)
            fprintf(f, ",\"sex\":\"%c\"", c[j].sex);
        putc('}', f);
    }
    putc(']', f);
}

static void write_district(FILE *f, const election *el, const election_district *d)
{
    fputs("{\"id\":", f);
    write_text(f, d->id);
    fputs(",\"name\":", f);
    write_text(f, d->name);
    fprintf(f, ",\"seats\":%u,\"regions\":[", d->seats);
    for (size_t j = 0; j < d->nregion; j++)
        fprintf(f, "%s\"%s\"", j ? "," : "", el->tree->node[d->region[j]].code);
    fputs("],", f);
    if (!contest_is_party_list(d->kind)) {
        write_candidates(f, d->cand, d->ncand);
    } else {
        fputs("\"lists\":[", f);
        for (size_t l = 0; l < d->nlist; l++) {
            fprintf(f, "%s{\"party\":%u,", l ? "," : "", d->list[l].party);
            write_candidates(f, d->list[l].cand, d->list[l].ncand);
            putc('}', f);
        }
        putc(']', f);
    }
    putc('}', f);
}

static void write_parties(FILE *f, const election *el)
{
    fputs("\"parties\":[", f);
    for (size_t i = 0; i < el->nparty; i++) {
        const election_party *pa = &el->party[i];
        write_sep(f, i);
        fprintf(f, "{\"no\":%u,\"abbrev\":", pa->no);
        write_text(f, pa->abbrev);
        fputs(",\"name\":", f);
        write_text(f, pa->name);
        if (pa->only_in) {
            fputs(",\"only_in\":", f);
            write_text(f, pa->only_in);
        }
        putc('}', f);
    }
    write_close(f, el->nparty, ']');
}

/* The format numbers a desa's TPS by position: they must be 1..n. */
static int tps_numbered(const election *el)
{
    const region *tps = election_tps_region(el, 0);
    for (size_t i = 0; i < el->ntps; i++) {
        int no = atoi(tps[i].code + 10);
        int first = i == 0 || tps[i].parent != tps[i - 1].parent;
        if (no != (first ? 1 : atoi(tps[i - 1].code + 10) + 1))
            return 0;
    }
    return 1;
}

static void write_tps(FILE *f, const election *el)
{
    const region *tps = election_tps_region(el, 0);
    size_t ndesa = 0;
    fputs("\"tps\":{", f);
    for (size_t i = 0; i < el->ntps; i++) {
        if (i == 0 || tps[i].parent != tps[i - 1].parent) {
            if (i)
                putc(']', f);
            write_sep(f, ndesa++);
            fprintf(f, "\"%s\":[", el->tree->node[tps[i].parent].code);
        } else {
            putc(',', f);
        }
        fprintf(f, "[%u,%u]", el->tps[i].dpt_male, el->tps[i].dpt_female);
    }
    if (el->ntps)
        putc(']', f);
    write_close(f, ndesa, '}');
}

int election_write(const election *el, FILE *f)
{
    if (!tps_numbered(el))
        return ERR_INVALID;
    fputs("{\"format\":\"" ELECTION_FORMAT_ID "\",\n\"name\":", f);
    write_text(f, el->name);
    fprintf(f, ",\n\"seed\":%llu,\n", (unsigned long long)el->seed);
    fprintf(f, "\"rules\":{\"ballot_reserve_permille\":%u,\"reserve_dptb\":%s,"
               "\"reserve_dpk\":%s,\"tps_max_dpt\":%u},\n",
            el->rules.reserve_permille, el->rules.reserve_dptb ? "true" : "false",
            el->rules.reserve_dpk ? "true" : "false", el->rules.tps_max_dpt);
    write_parties(f, el);
    fputs(",\n\"contests\":{", f);
    for (int k = 0; k < CONTEST_KINDS; k++) {
        fprintf(f, "%s\n\"%s\":[", k ? "," : "", contest_kind_id[k]);
        for (size_t d = 0; d < el->ndistrict[k]; d++) {
            write_sep(f, d);
            write_district(f, el, &el->district[k][d]);
        }
        write_close(f, el->ndistrict[k], ']');
    }
    fputs("\n},\n", f);
    write_tps(f, el);
    fputs("\n}\n", f);
    return fflush(f) != 0 || ferror(f) ? ERR_IO : 0;
}
