/* http_health — the /healthz document of both listeners (http_health.h). */
#include "http/http_health.h"

#include <stdatomic.h>
#include <string.h>

#include <microhttpd.h>

static atomic_int health_ready;

void http_health_ready(void)
{
    atomic_store(&health_ready, 1);
}

/* Why a replica is not healthy now, or NULL (a store error shorter than
 * HTTP_HEALTH_BEHIND_MS is a blip a failover makes: it is served through). */
static const char *health_replica(int diverged, uint64_t behind_ms, int reads_ok)
{
    if (diverged)
        return "diverged";
    if (behind_ms <= HTTP_HEALTH_BEHIND_MS)
        return NULL;
    return reads_ok ? "behind" : "store_unreachable";
}

int http_health_serving(ingest *in)
{
    int diverged;
    uint64_t behind_ms;
    ingest_follow_state(in, &diverged, &behind_ms);
    return health_replica(diverged, behind_ms, 1) == NULL;
}

/* Why this server is not healthy now, or NULL. */
static const char *health_problem(const ingest_log_state *ls, int stopping)
{
    if (stopping)
        return "stopping";
    if (!atomic_load(&health_ready))
        return "starting";
    if (!ls->replica)
        return ls->healthy ? NULL : "log_unpublished";
    return health_replica(ls->diverged, ls->behind_ms, ls->healthy);
}

json_t *http_health(ingest *in, int stopping, unsigned *status)
{
    ingest_log_state ls;
    ingest_log_state_get(in, &ls);
    const char *problem = health_problem(&ls, stopping);
    *status = problem ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_OK;
    json_t *o = json_pack("{s:s,s:s,s:I,s:I}", "status", problem ? problem : "ok", "role",
                          ls.replica ? "replica" : "primary", "log_entries", (json_int_t)ls.size,
                          "log_published", (json_int_t)ls.published);
    if (ls.replica)
        json_object_set_new(o, "behind_ms", json_integer((json_int_t)ls.behind_ms));
    if (problem && ls.last.code && strcmp(problem, "stopping") && strcmp(problem, "starting")) {
        json_object_set_new(o, "code", json_string(ls.last.code));
        json_object_set_new(o, "message", json_string(ls.last.msg));
    }
    return o;
}
