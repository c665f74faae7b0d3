package dev.roan.example.petclinic;

import java.util.List;

/** The petclinic in tracked mode on H2, behind a real Varnish with xkey. */
class PetclinicTrackedBehindVarnishTest extends PetclinicTrackedBehindVarnish {

    @Override
    List<String> database() {
        return h2();
    }
}
