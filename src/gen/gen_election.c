/* gen_election — owns gen_params_default and gen_election: checking the
 * parameters and the scope, then the building steps in order (population
 * and TPS, the election object, parties and contests, linking), and the
 * cleanup on every error path. See gen.h; the method is in
 * docs/GENERATOR.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "gen/gen_internal.h"

#define TPS_DOMESTIC_MAX 3000000u
#define TPS_OVERSEAS_MAX 100000u

void gen_params_default(gen_params *p)
{
    memset(p, 0, sizeof *p);
    p->seed = 2024;
    p->scope = NULL;
    p->dpt_ratio = 0.72;
    p->tps_domestic = 820161;
    p->tps_overseas = 3059;
}

static int check_params(const gen_params *p, err_info *e)
{
    if (!(p->dpt_ratio > 0.0 && p->dpt_ratio <= 1.0))
        return err_set(e, ERR_INVALID, "GEN_PARAMS", "dpt_ratio",
                       "the DPT ratio %g is outside (0, 1]", p->dpt_ratio);
    if (p->tps_domestic < 1 || p->tps_domestic > TPS_DOMESTIC_MAX)
        return err_set(e, ERR_INVALID, "GEN_PARAMS", "tps_domestic",
                       "%u domestic TPS is outside 1..%u", p->tps_domestic, TPS_DOMESTIC_MAX);
    if (p->tps_overseas > TPS_OVERSEAS_MAX)
        return err_set(e, ERR_INVALID, "GEN_PARAMS", "tps_overseas",
                       "%u overseas TPS is more than %u", p->tps_overseas, TPS_OVERSEAS_MAX);
    return 0;
}

/* The scope's province index (REGION_NONE for the nation). */
static int find_scope(const region_tree *t, const char *scope, uint32_t *out, err_info *e)
{
    *out = REGION_NONE;
    if (!scope || strcmp(scope, "0") == 0)
        return 0;
    uint32_t i = region_find(t, scope);
    if (i == REGION_NONE || t->node[i].level != REGION_PROVINCE)
        return err_set(e, ERR_NOTFOUND, "GEN_SCOPE", "scope",
                       "scope \"%.20s\" is not a province code of the master data", scope);
    *out = i;
    return 0;
}

static void election_name(gen_build *b)
{
    char name[64 + REGION_NAME_MAX];
    if (b->scope == REGION_NONE)
        snprintf(name, sizeof name, "Pemilu 2024 sintetis (seed %llu)",
                 (unsigned long long)b->p->seed);
    else
        snprintf(name, sizeof name, "Pemilu 2024 sintetis, %s (seed %llu)",
                 b->t->node[b->scope].name, (unsigned long long)b->p->seed);
    b->el->name = mem_strdup(name);
    b->el->seed = b->p->seed;
}

static void build_free(gen_build *b)
{
    free(b->pop);
    free(b->dpt_m);
    free(b->dpt_f);
    free(b->ntps);
}

/* Steps before the election exists: they work on the bare tree. */
static int build_tree(gen_build *b, err_info *e)
{
    region_tree *t = b->t;
    int rc = check_params(b->p, e);
    if (rc < 0 || (rc = find_scope(t, b->p->scope, &b->scope, e)) < 0)
        return rc;
    if (t->level_start[REGION_TPS] != t->n)
        return err_set(e, ERR_INVALID, "GEN_TREE", "tps",
                       "the master data already holds TPS");
    b->overseas = region_find(t, REGION_OVERSEAS);
    b->nbase = t->n;
    if ((rc = gen_population(b, e)) < 0)
        return rc;
    return gen_add_tps(b, e);
}

int gen_election(region_tree *tree, const gen_params *p, election **out, err_info *e)
{
    gen_build b = {.t = tree, .p = p};
    int rc = build_tree(&b, e);
    if (rc < 0) {
        build_free(&b);
        region_tree_free(tree);
        return rc;
    }
    b.el = election_new(tree);
    election_name(&b);
    gen_fill_tps(&b);
    gen_parties(&b);
    gen_ppwp_contest(&b);
    rc = gen_legislative(&b, e);
    if (rc == 0) {
        gen_dpd(&b);
        rc = election_link(b.el, e);
    }
    build_free(&b);
    if (rc < 0) {
        election_free(b.el);
        return rc;
    }
    *out = b.el;
    return 0;
}
