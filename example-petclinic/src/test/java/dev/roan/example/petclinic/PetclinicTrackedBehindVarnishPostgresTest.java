package dev.roan.example.petclinic;

import java.util.List;

/** The petclinic in tracked mode on a real PostgreSQL, behind a real Varnish with xkey. */
class PetclinicTrackedBehindVarnishPostgresTest extends PetclinicTrackedBehindVarnish {

    @Override
    List<String> database() {
        return postgres();
    }
}
