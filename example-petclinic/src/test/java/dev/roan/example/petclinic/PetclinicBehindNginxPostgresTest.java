package dev.roan.example.petclinic;

import java.util.List;

/** The petclinic with its rules on a real PostgreSQL, behind a real nginx. */
class PetclinicBehindNginxPostgresTest extends PetclinicBehindNginx {

    @Override
    List<String> database() {
        return postgres();
    }
}
