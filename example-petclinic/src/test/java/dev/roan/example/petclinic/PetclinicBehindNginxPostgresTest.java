package dev.roan.example.petclinic;

import dev.roan.testkit.Postgres;
import java.util.List;

/**
 * The petclinic on a real PostgreSQL that this class starts itself ({@link Postgres}: skipped without PostgreSQL,
 * failed under {@code CI=true}), behind a real nginx: the rows Roan reads before an update lock as the update will
 * ({@code SELECT ... FOR UPDATE}), and a related row's read runs inside the writer's transaction.
 */
class PetclinicBehindNginxPostgresTest extends PetclinicBehindNginx {

    private Postgres postgres;

    @Override
    List<String> database() {
        postgres = Postgres.start();
        return List.of("--spring.datasource.url=" + postgres.createDatabase("roan_petclinic"),
                "--spring.datasource.username=" + postgres.user(),
                "--spring.datasource.password=" + postgres.password());
    }

    @Override
    void stopDatabase() {
        if (postgres != null) {
            postgres.close();
        }
    }
}
