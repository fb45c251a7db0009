from django.contrib.auth.hashers import Argon2PasswordHasher


class PortalArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at the cost measured by ``benchmarks/login_throughput.py`` (see the README).

    OWASP's first recommended profile (46 MiB, one pass, one lane): a city-wide circular can make
    hundreds of directors sign in within minutes on a 2-core server; the benchmark states the rate.
    """

    algorithm = "argon2"
    time_cost = 1
    memory_cost = 47104
    parallelism = 1
