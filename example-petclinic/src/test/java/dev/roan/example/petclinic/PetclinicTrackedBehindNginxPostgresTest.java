package dev.roan.example.petclinic;

import java.util.List;

/** The petclinic in tracked mode on a real PostgreSQL, behind a real nginx. */
class PetclinicTrackedBehindNginxPostgresTest extends PetclinicTrackedBehindNginx {

    @Override
    List<String> database() {
        return postgres();
    }
}
